// TestPki: a throwaway certificate authority for TLS tests, generated at test time with Debian's openssl
// command (nothing secret is committed). In `dir`: ca.crt/ca.key (the test CA), server.crt/server.key
// (CN localhost, SAN DNS:localhost and IP:127.0.0.1), client.crt/client.key (CN and SAN DNS `client_name`,
// signed by the CA), and other-ca.crt, an unrelated CA that trusts none of them. Not thread-safe.
#pragma once

#include <string>

namespace buildfarm::testing {

struct TestPki {
  std::string dir;
  std::string ca_cert, ca_key, server_cert, server_key, client_cert, client_key, other_ca_cert;
};

// Generates the files; false with `error` set (the failing openssl command and its output).
bool GenerateTestPki(const std::string& dir, const std::string& client_name, TestPki* pki, std::string* error);

}  // namespace buildfarm::testing
