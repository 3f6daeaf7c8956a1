#include "common/web_config.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <cstring>
#include <set>
#include <vector>

#include "common/file_reader.h"
#include "common/yaml_config.h"

namespace buildfarm {
namespace {

using yaml_config::CheckKeys;
using yaml_config::KeyError;

const std::map<std::string, ClientAuthType>& ClientAuthTypes() {
  static const auto* types = new std::map<std::string, ClientAuthType>{
      {"NoClientCert", ClientAuthType::kNoClientCert},
      {"RequestClientCert", ClientAuthType::kRequestClientCert},
      {"RequireAnyClientCert", ClientAuthType::kRequireAnyClientCert},
      {"VerifyClientCertIfGiven", ClientAuthType::kVerifyClientCertIfGiven},
      {"RequireAndVerifyClientCert", ClientAuthType::kRequireAndVerifyClientCert},
  };
  return *types;
}

Status ReadScalar(const YAML::Node& node, std::string_view source, const std::string& key, std::string* out) {
  if (!node) return Status::Ok();
  if (!node.IsScalar()) return KeyError(source, key, "want a string");
  *out = node.as<std::string>();
  return Status::Ok();
}

bool IsHeaderToken(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

Status ParseTls(const YAML::Node& node, std::string_view source, TlsServerConfig* tls) {
  const std::string prefix = "tls_server_config.";
  BUILDFARM_RETURN_IF_ERROR(
      CheckKeys(node, {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version"}, source, prefix));
  BUILDFARM_RETURN_IF_ERROR(ReadScalar(node["cert_file"], source, prefix + "cert_file", &tls->cert_file));
  BUILDFARM_RETURN_IF_ERROR(ReadScalar(node["key_file"], source, prefix + "key_file", &tls->key_file));
  BUILDFARM_RETURN_IF_ERROR(ReadScalar(node["client_ca_file"], source, prefix + "client_ca_file", &tls->client_ca_file));
  if (tls->cert_file.empty()) return KeyError(source, prefix + "cert_file", "required (the server certificate, PEM)");
  if (tls->key_file.empty()) return KeyError(source, prefix + "key_file", "required (the server's private key, PEM)");
  std::string auth_type;
  BUILDFARM_RETURN_IF_ERROR(ReadScalar(node["client_auth_type"], source, prefix + "client_auth_type", &auth_type));
  if (!auth_type.empty()) {
    auto it = ClientAuthTypes().find(auth_type);
    if (it == ClientAuthTypes().end()) {
      return KeyError(source, prefix + "client_auth_type",
                      "\"" + auth_type + "\" is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, "
                      "VerifyClientCertIfGiven, RequireAndVerifyClientCert");
    }
    tls->client_auth_type = it->second;
  }
  const bool verifies = tls->client_auth_type == ClientAuthType::kVerifyClientCertIfGiven ||
                        tls->client_auth_type == ClientAuthType::kRequireAndVerifyClientCert;
  if (verifies && tls->client_ca_file.empty()) {
    return KeyError(source, prefix + "client_ca_file", "required when client_auth_type is " + auth_type);
  }
  if (!verifies && !tls->client_ca_file.empty()) {
    return KeyError(source, prefix + "client_auth_type",
                    "client_ca_file is set but client_auth_type does not verify client certificates "
                    "(use VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
  }
  std::string min_version;
  BUILDFARM_RETURN_IF_ERROR(ReadScalar(node["min_version"], source, prefix + "min_version", &min_version));
  if (min_version == "TLS13") {
    tls->min_tls13 = true;
  } else if (!min_version.empty() && min_version != "TLS12") {
    return KeyError(source, prefix + "min_version",
                    "\"" + min_version + "\" is not allowed: want TLS12 or TLS13 (TLS 1.0 and 1.1 are refused)");
  }
  return Status::Ok();
}

Status ParseHeaders(const YAML::Node& node, std::string_view source, std::map<std::string, std::string>* headers) {
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, {"headers"}, source, "http_server_config."));
  const YAML::Node map = node["headers"];
  if (!map) return Status::Ok();
  if (!map.IsMap()) return KeyError(source, "http_server_config.headers", "want a mapping of header name to value");
  // Headers that frame or route the response, or that the server sets itself, cannot be overridden.
  static const std::set<std::string> kReserved = {"content-length", "content-type", "transfer-encoding", "connection",
                                                  "keep-alive", "content-encoding", "www-authenticate", "upgrade",
                                                  "strict-transport-security", "set-cookie"};
  for (const auto& entry : map) {
    const std::string name = entry.first.as<std::string>();
    const std::string key = "http_server_config.headers." + name;
    if (!IsHeaderToken(name)) return KeyError(source, key, "not a header name (letters, digits, '-', '_')");
    if (kReserved.count(Lower(name)) != 0) return KeyError(source, key, "set by the server itself; not configurable");
    if (!entry.second.IsScalar()) return KeyError(source, key, "want a string value");
    std::string value = entry.second.as<std::string>();
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
      return KeyError(source, key, "value contains a line break");
    }
    (*headers)[name] = value;
  }
  return Status::Ok();
}

Status ParseUsers(const YAML::Node& node, std::string_view source, std::map<std::string, std::string>* users) {
  if (!node.IsMap()) return KeyError(source, "basic_auth_users", "want a mapping of user name to bcrypt hash");
  for (const auto& entry : node) {
    const std::string user = entry.first.as<std::string>();
    const std::string key = "basic_auth_users." + user;
    if (user.empty() || user.find(':') != std::string::npos) return KeyError(source, key, "user names cannot be empty or contain ':'");
    if (!entry.second.IsScalar()) return KeyError(source, key, "want a bcrypt hash string");
    std::string hash = entry.second.as<std::string>();
    const bool bcrypt = hash.size() == 60 && (hash.rfind("$2b$", 0) == 0 || hash.rfind("$2y$", 0) == 0 ||
                                              hash.rfind("$2a$", 0) == 0);
    if (!bcrypt) {
      return KeyError(source, key, "not a bcrypt hash (want $2b$ or $2y$ and 60 characters, e.g. from htpasswd -nBC 10)");
    }
    (*users)[user] = hash;
  }
  return Status::Ok();
}

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

}  // namespace

Result<WebConfig> ParseWebConfig(std::string_view yaml_text, std::string_view source) {
  WebConfig config;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root || root.IsNull()) return config;  // an empty file: plain HTTP, no auth
    BUILDFARM_RETURN_IF_ERROR(
        CheckKeys(root, {"tls_server_config", "http_server_config", "basic_auth_users"}, source, ""));
    if (root["tls_server_config"] && !root["tls_server_config"].IsNull()) {
      config.tls_enabled = true;
      BUILDFARM_RETURN_IF_ERROR(ParseTls(root["tls_server_config"], source, &config.tls));
    }
    if (root["http_server_config"] && !root["http_server_config"].IsNull()) {
      BUILDFARM_RETURN_IF_ERROR(ParseHeaders(root["http_server_config"], source, &config.headers));
    }
    if (root["basic_auth_users"] && !root["basic_auth_users"].IsNull()) {
      BUILDFARM_RETURN_IF_ERROR(ParseUsers(root["basic_auth_users"], source, &config.basic_auth_users));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ": not valid YAML: " + e.what());
  }
  return config;
}

Result<std::shared_ptr<const WebConfig>> LoadWebConfigFile(const std::string& path) {
  auto text = ReadFileCapped(path, 1 << 20);
  if (!text.ok()) return text.status().WithContext("web config " + path);
  auto parsed = ParseWebConfig(*text, path);
  if (!parsed.ok()) return parsed.status();
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
  parsed->tls.cert_file = Resolve(dir, parsed->tls.cert_file);
  parsed->tls.key_file = Resolve(dir, parsed->tls.key_file);
  parsed->tls.client_ca_file = Resolve(dir, parsed->tls.client_ca_file);
  return std::shared_ptr<const WebConfig>(std::make_shared<WebConfig>(std::move(*parsed)));
}

bool CheckBasicAuth(const WebConfig& config, std::string_view authorization) {
  constexpr std::string_view kPrefix = "Basic ";
  if (authorization.size() <= kPrefix.size() || authorization.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view encoded = authorization.substr(kPrefix.size());
  if (encoded.size() > 1024 || encoded.size() % 4 != 0) return false;
  std::vector<unsigned char> decoded(encoded.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
                          static_cast<int>(encoded.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts the padding's zero bytes; drop one per '='.
  for (std::size_t i = encoded.size(); i > 0 && encoded[i - 1] == '='; --i) --n;
  const std::string credentials(reinterpret_cast<const char*>(decoded.data()), static_cast<std::size_t>(n));
  const auto colon = credentials.find(':');
  if (colon == std::string::npos) return false;
  auto user = config.basic_auth_users.find(credentials.substr(0, colon));
  if (user == config.basic_auth_users.end()) return false;
  const std::string password = credentials.substr(colon + 1);
  crypt_data data{};
  const char* computed = crypt_rn(password.c_str(), user->second.c_str(), &data, sizeof data);
  if (computed == nullptr || computed[0] == '*') return false;
  const std::string& expected = user->second;
  return std::strlen(computed) == expected.size() && CRYPTO_memcmp(computed, expected.data(), expected.size()) == 0;
}

}  // namespace buildfarm
