// The exporter-toolkit `web-config.yml` format, shared by every buildfarm listener (the exporter's
// --web.config.file, the scheduler's and the agent's web config): TLS, extra response headers and
// HTTP basic auth with bcrypt hashes.
//
//   tls_server_config:
//     cert_file: server.crt        # relative paths are relative to the web config file
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert   # NoClientCert (default), RequestClientCert,
//                                                    # RequireAnyClientCert, VerifyClientCertIfGiven
//     client_ca_file: ca.crt       # needed by the two Verify types
//     min_version: TLS12           # TLS12 (default) or TLS13; TLS 1.0 and 1.1 are always refused
//   http_server_config:
//     headers: {X-Example: value}
//   basic_auth_users:
//     prometheus: $2b$10$...       # bcrypt hash ($2a$, $2b$, $2y$)
//
// ParseWebConfig is pure (no file access; fuzzed); LoadWebConfigFile reads the file and resolves relative
// paths. Every error names the key. A parsed WebConfig is immutable and safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace buildfarm {

enum class ClientAuthType {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  ClientAuthType client_auth_type = ClientAuthType::kNoClientCert;
  std::string client_ca_file;
  bool min_tls13 = false;  // min_version: TLS13; otherwise TLS 1.2
};

struct WebConfig {
  bool tls_enabled = false;  // tls_server_config is present
  TlsServerConfig tls;
  std::map<std::string, std::string> headers;           // http_server_config.headers
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// Parses the YAML text; `source` names it in errors ("SOURCE: KEY: what is wrong").
Result<WebConfig> ParseWebConfig(std::string_view yaml_text, std::string_view source);

// Reads and parses `path`; cert_file, key_file and client_ca_file are resolved relative to its directory.
Result<std::shared_ptr<const WebConfig>> LoadWebConfigFile(const std::string& path);

// True when `authorization` (the request's Authorization header) is "Basic base64(user:password)" for a
// user of basic_auth_users whose bcrypt hash the password matches (checked with libxcrypt's crypt_rn).
bool CheckBasicAuth(const WebConfig& config, std::string_view authorization);

}  // namespace buildfarm
