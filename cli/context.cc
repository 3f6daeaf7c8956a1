#include "cli/context.h"

#include <cstdlib>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/file_reader.h"
#include "common/secret_file.h"
#include "common/text.h"

namespace buildfarm::cli {
using nlohmann::json;

namespace {

constexpr std::string_view kQuickstartHint = "run ./deploy/quickstart.sh and export the BUILDFARM_CONFIG it prints";

struct ConfigFile {
  std::string url;
  std::string token;
  std::string token_file;
  TlsClientOptions tls;
};

// A path from the config file, relative to the file's directory unless absolute.
std::string NextTo(const std::string& config_path, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  const auto slash = config_path.rfind('/');
  return slash == std::string::npos ? path : config_path.substr(0, slash + 1) + path;
}

Result<ConfigFile> LoadConfigFile(const std::string& path) {
  auto text = ReadFileCapped(path, 1 << 20);
  if (!text.ok()) return InvalidArgument("BUILDFARM_CONFIG=" + path + ": " + text.status().message());
  ConfigFile config;
  try {
    YAML::Node root = YAML::Load(*text);
    if (root.IsNull()) return config;
    if (!root.IsMap()) return InvalidArgument("BUILDFARM_CONFIG=" + path + ": want a mapping with url: and token:");
    if (root["url"]) config.url = root["url"].as<std::string>();
    if (root["token"]) config.token = root["token"].as<std::string>();
    if (root["token_file"]) config.token_file = root["token_file"].as<std::string>();
    if (root["ca_file"]) config.tls.ca_file = NextTo(path, root["ca_file"].as<std::string>());
    if (root["cert_file"]) config.tls.cert_file = NextTo(path, root["cert_file"].as<std::string>());
    if (root["key_file"]) config.tls.key_file = NextTo(path, root["key_file"].as<std::string>());
  } catch (const YAML::Exception& e) {
    return InvalidArgument("BUILDFARM_CONFIG=" + path + ": " + e.what());
  }
  return config;
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Connection> ResolveConnection(const std::string& url_flag, const std::string& token_flag,
                                     const EnvLookup& env, const std::string& token_file_flag,
                                     const TlsClientOptions& tls_flags) {
  Connection connection{url_flag, token_flag, tls_flags};
  if (!token_file_flag.empty()) {
    auto token = ReadSecretFile(token_file_flag, "--token-file");
    if (!token.ok()) return token.status();
    connection.token = *token;
  }
  auto from_env = [&](std::string* target, const char* name) {
    if (!target->empty()) return;
    if (auto value = env(name); value && !value->empty()) *target = *value;
  };
  from_env(&connection.url, "BUILDFARM_URL");
  from_env(&connection.token, "BUILDFARM_TOKEN");
  from_env(&connection.tls.ca_file, "BUILDFARM_CA_FILE");
  auto config_path = env("BUILDFARM_CONFIG");
  // TLS files are looked up only for an https URL (or one still to come from the config).
  const bool tls_unset = connection.tls.ca_file.empty() && connection.tls.cert_file.empty() &&
                         (connection.url.empty() || connection.url.rfind("https://", 0) == 0);
  if ((connection.url.empty() || connection.token.empty() || tls_unset) && config_path && !config_path->empty()) {
    auto config = LoadConfigFile(*config_path);
    if (!config.ok()) return config.status();
    if (connection.url.empty()) connection.url = config->url;
    if (connection.token.empty() && !config->token_file.empty()) {
      auto token = ReadSecretFile(config->token_file, "token_file: in BUILDFARM_CONFIG=" + *config_path + ",");
      if (!token.ok()) return token.status();
      connection.token = *token;
    }
    if (connection.token.empty()) connection.token = config->token;
    if (tls_unset) connection.tls = config->tls;
  }
  if (connection.url.empty()) {
    return InvalidArgument("no scheduler URL: pass --url, set BUILDFARM_URL, or set BUILDFARM_CONFIG to a file with url: (" +
                           std::string(kQuickstartHint) + ")");
  }
  if (connection.token.empty()) {
    return InvalidArgument("no token: pass --token-file, set BUILDFARM_TOKEN, or set BUILDFARM_CONFIG to a file with "
                           "token_file: or token: (" +
                           std::string(kQuickstartHint) + ")");
  }
  auto parsed = ParseUrl(connection.url);
  if (!parsed.ok()) return InvalidArgument("scheduler " + parsed.status().message());
  return connection;
}

std::string NeededRole(std::string_view method, std::string_view path) {
  if (path.rfind("/api/v1/tokens", 0) == 0 || path.rfind("/api/v1/audit", 0) == 0) return "admin";
  if (method == "GET") return "viewer";
  if (method == "POST" && path.rfind("/api/v1/jobs", 0) == 0) return "operator or admin";
  if (method == "POST" && path == "/api/v1/messages") return "admin, or the agent token of the sending node";
  return "admin";
}

std::string DescribeRefusal(int status, std::string_view body, std::string_view request, std::string_view needed_role) {
  std::string message;
  std::string field;
  try {
    json parsed = json::parse(body);
    if (parsed.is_object()) {
      message = Text(parsed, "error");
      field = Text(parsed, "field");
    }
  } catch (const json::exception&) {
    std::string_view first_line = body.substr(0, body.find('\n'));
    message = std::string(first_line.substr(0, 200));
  }
  std::string code = "(" + std::to_string(status) + ")";
  if (status == 401) return "token rejected " + code + ": set BUILDFARM_TOKEN or run ./deploy/quickstart.sh";
  if (message.empty() && status == 404 && !request.empty()) message = std::string(request) + ": not found";
  if (message.empty()) message = "the scheduler answered HTTP " + std::to_string(status);
  if (status == 403) {
    std::string role = needed_role.empty() ? "another role" : "role " + std::string(needed_role);
    return message + " " + code + ": this needs a token with " + role +
           " (the admin token is in .farm/scheduler/admin.token; set BUILDFARM_TOKEN)";
  }
  if (!field.empty() && message.rfind(field, 0) != 0) message = field + ": " + message;
  return message + " " + code;
}

std::string Text(const json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return EscapeNonPrintable(it->get<std::string>(), /*keep_line_breaks=*/true);
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  if (it->is_number()) {
    std::ostringstream out;
    out << it->get<double>();
    return out.str();
  }
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  return it->dump();
}

double Number(const json& object, std::string_view key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  return it->get<double>();
}

CommandContext::CommandContext(std::ostream& out, std::ostream& err, EnvLookup env, TerminalInfo terminal)
    : out_(out), err_(err), env_(std::move(env)), terminal_(terminal) {}

bool CommandContext::color() const {
  if (color_flag_ != "auto") return color_flag_ == "always";
  auto no_color = env_("NO_COLOR");
  return terminal_.stdout_tty && (!no_color || no_color->empty());
}

std::size_t CommandContext::width() const {
  if (auto columns = env_("COLUMNS")) {
    if (auto value = text::ParseInt64(*columns); value && *value > 0) return static_cast<std::size_t>(*value);
  }
  return terminal_.columns;
}

void CommandContext::PrintTable(const std::vector<std::vector<std::string>>& rows) {
  cli::PrintTable(out_, rows, TableStyle{width(), color()});
}

CommandContext::~CommandContext() = default;

void CommandContext::AddCommonFlags(FlagSet& flags, bool with_json) {
  flags.AddString("url", &url_flag_, "Scheduler URL, e.g. http://127.0.0.1:8080 (else $BUILDFARM_URL, else url: in $BUILDFARM_CONFIG)");
  flags.AddString("token-file", &token_file_flag_,
                  "File holding the bearer token, readable by you alone (else --token, $BUILDFARM_TOKEN, then "
                  "token_file: or token: in $BUILDFARM_CONFIG)");
  flags.AddString("token", &token_flag_,
                  "Bearer token; it shows in ps and shell history, so prefer --token-file or $BUILDFARM_CONFIG");
  flags.AddCustom("color", "WHEN", "auto", "Color the output: auto (only on a terminal, unless NO_COLOR is set), always or never",
                  [this](std::string_view v) {
                    if (v != "auto" && v != "always" && v != "never") {
                      return InvalidArgument("want auto, always or never, got \"" + std::string(v) + "\"");
                    }
                    color_flag_ = std::string(v);
                    return Status::Ok();
                  });
  flags.AddString("ca-file", &tls_flags_.ca_file,
                  "CA certificates (PEM) that verify an https scheduler (else $BUILDFARM_CA_FILE, else ca_file: in "
                  "$BUILDFARM_CONFIG, else the system store)");
  flags.AddString("cert-file", &tls_flags_.cert_file, "Client certificate (PEM) for an https scheduler that asks for one");
  flags.AddString("key-file", &tls_flags_.key_file, "Private key of --cert-file");
  if (with_json) flags.AddBool("json", &json_, "Print the scheduler's JSON instead of a table");
  flags.AddBool("help", &help_, "Show help for this command");
}

int CommandContext::UsageError(std::string_view message) {
  err_ << "build-cli: error: " << message << " (see build-cli --help)\n";
  return kExitUsage;
}

int CommandContext::Refused(std::string_view message) {
  err_ << "build-cli: " << message << "\n";
  return kExitRefused;
}

std::optional<int> CommandContext::Connect() {
  auto connection = ResolveConnection(url_flag_, token_flag_, env_, token_file_flag_, tls_flags_);
  if (!connection.ok()) return UsageError(connection.status().message());
  auto client = HttpClient::Create(connection->url, connection->token, 5, 30, 30, connection->tls);
  if (!client.ok()) return UsageError(client.status().message());
  client_ = std::move(*client);
  url_ = connection->url;
  return std::nullopt;
}

int CommandContext::Transport(const Status& status) {
  return Refused("cannot reach the scheduler at " + url_ +
                 ": is buildfarm-scheduler running? (set --url or BUILDFARM_URL) [" + status.message() + "]");
}

int CommandContext::Check(const std::string& method, const std::string& path, const Result<HttpResponse>& response) {
  if (!response.ok()) return Transport(response.status());
  if (response->status < 200 || response->status >= 300) {
    return Refused(DescribeRefusal(response->status, response->body, method + " " + path, NeededRole(method, path)));
  }
  return kExitOk;
}

int CommandContext::Call(const std::string& method, const std::string& path, const json* body, json* reply) {
  Result<HttpResponse> response = method == "GET" ? client_->Get(path) : client_->Post(path, body ? body->dump() : "{}");
  if (int code = Check(method, path, response); code != kExitOk) return code;
  if (reply == nullptr) return kExitOk;
  if (response->body.empty()) {
    *reply = nullptr;
    return kExitOk;
  }
  try {
    *reply = json::parse(response->body);
  } catch (const json::exception& e) {
    return Refused(method + " " + path + ": the scheduler's answer is not JSON: " + e.what());
  }
  return kExitOk;
}

void CommandContext::PrintJson(const json& value) { out_ << value.dump(2) << "\n"; }

}  // namespace buildfarm::cli
