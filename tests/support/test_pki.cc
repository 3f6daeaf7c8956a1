#include "tests/support/test_pki.h"

#include <fstream>
#include <vector>

#include "tests/support/process.h"

namespace buildfarm::testing {
namespace {

bool Run(const std::vector<std::string>& argv, std::string* error) {
  std::string output;
  if (RunCommand(argv, &output, 60) == 0) return true;
  *error = "openssl failed:";
  for (const auto& arg : argv) *error += " " + arg;
  *error += "\n" + output;
  return false;
}

// A key and a certificate signed by the CA (or self-signed when `ca_cert` is empty).
bool Issue(const std::string& dir, const std::string& name, const std::string& subject, const std::string& san,
           const std::string& ca_cert, const std::string& ca_key, std::string* error) {
  const std::string key = dir + "/" + name + ".key";
  const std::string cert = dir + "/" + name + ".crt";
  if (ca_cert.empty()) {
    return Run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", cert, "-days", "2", "-subj", subject, "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
               error);
  }
  const std::string csr = dir + "/" + name + ".csr";
  const std::string ext = dir + "/" + name + ".ext";
  std::ofstream(ext) << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n"
                     << "extendedKeyUsage=serverAuth,clientAuth\n";
  return Run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
              "-out", csr, "-subj", subject},
             error) &&
         Run({"openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
              "-days", "2", "-extfile", ext},
             error);
}

}  // namespace

bool GenerateTestPki(const std::string& dir, const std::string& client_name, TestPki* pki, std::string* error) {
  pki->dir = dir;
  pki->ca_cert = dir + "/ca.crt";
  pki->ca_key = dir + "/ca.key";
  pki->server_cert = dir + "/server.crt";
  pki->server_key = dir + "/server.key";
  pki->client_cert = dir + "/client.crt";
  pki->client_key = dir + "/client.key";
  pki->other_ca_cert = dir + "/other-ca.crt";
  return Issue(dir, "ca", "/CN=buildfarm test CA", "", "", "", error) &&
         Issue(dir, "other-ca", "/CN=unrelated test CA", "", "", "", error) &&
         Issue(dir, "server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", pki->ca_cert, pki->ca_key, error) &&
         Issue(dir, "client", "/CN=" + client_name, "DNS:" + client_name, pki->ca_cert, pki->ca_key, error);
}

}  // namespace buildfarm::testing
