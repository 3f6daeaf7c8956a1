#include "scheduler/cli/context.h"

#include <cstdlib>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/file_reader.h"

namespace buildfarm::cli {
using nlohmann::json;

namespace {

constexpr std::string_view kQuickstartHint = "run ./deploy/quickstart.sh and export the BUILDFARM_CONFIG it prints";

struct ConfigFile {
  std::string url;
  std::string token;
};

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
                                     const EnvLookup& env) {
  Connection connection{url_flag, token_flag};
  auto from_env = [&](std::string* target, const char* name) {
    if (!target->empty()) return;
    if (auto value = env(name); value && !value->empty()) *target = *value;
  };
  from_env(&connection.url, "BUILDFARM_URL");
  from_env(&connection.token, "BUILDFARM_TOKEN");
  auto config_path = env("BUILDFARM_CONFIG");
  if ((connection.url.empty() || connection.token.empty()) && config_path && !config_path->empty()) {
    auto config = LoadConfigFile(*config_path);
    if (!config.ok()) return config.status();
    if (connection.url.empty()) connection.url = config->url;
    if (connection.token.empty()) connection.token = config->token;
  }
  if (connection.url.empty()) {
    return InvalidArgument("no scheduler URL: pass --url, set BUILDFARM_URL, or set BUILDFARM_CONFIG to a file with url: (" +
                           std::string(kQuickstartHint) + ")");
  }
  if (connection.token.empty()) {
    return InvalidArgument("no token: pass --token, set BUILDFARM_TOKEN, or set BUILDFARM_CONFIG to a file with token: (" +
                           std::string(kQuickstartHint) + ")");
  }
  auto parsed = ParseUrl(connection.url);
  if (!parsed.ok()) return InvalidArgument("scheduler " + parsed.status().message());
  return connection;
}

std::string DescribeRefusal(int status, std::string_view body) {
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
  if (message.empty()) message = "the scheduler answered HTTP " + std::to_string(status);
  if (status == 403) return message + " " + code + ": this token's role may not do that";
  if (!field.empty() && message.find(field) == std::string::npos) message = field + ": " + message;
  return message + " " + code;
}

std::string Text(const json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
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

CommandContext::CommandContext(std::ostream& out, std::ostream& err, EnvLookup env)
    : out_(out), err_(err), env_(std::move(env)) {}

CommandContext::~CommandContext() = default;

void CommandContext::AddCommonFlags(FlagSet& flags, bool with_json) {
  flags.AddString("url", &url_flag_, "Scheduler URL, e.g. http://127.0.0.1:8080 (else $BUILDFARM_URL, else url: in $BUILDFARM_CONFIG)");
  flags.AddString("token", &token_flag_, "Bearer token (else $BUILDFARM_TOKEN, else token: in $BUILDFARM_CONFIG)");
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
  auto connection = ResolveConnection(url_flag_, token_flag_, env_);
  if (!connection.ok()) return UsageError(connection.status().message());
  auto client = HttpClient::Create(connection->url, connection->token);
  if (!client.ok()) return UsageError(client.status().message());
  client_ = std::move(*client);
  return std::nullopt;
}

int CommandContext::Transport(const Status& status) {
  return Refused("cannot reach the scheduler: " + status.message() +
                 " (is it running? check --url, BUILDFARM_URL or BUILDFARM_CONFIG)");
}

int CommandContext::Call(const std::string& method, const std::string& path, const json* body, json* reply) {
  Result<HttpResponse> response = method == "GET" ? client_->Get(path) : client_->Post(path, body ? body->dump() : "{}");
  if (!response.ok()) return Transport(response.status());
  if (response->status < 200 || response->status >= 300) return Refused(DescribeRefusal(response->status, response->body));
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

int CommandContext::GetText(const std::string& path, std::string* reply) {
  auto response = client_->Get(path);
  if (!response.ok()) return Transport(response.status());
  if (response->status < 200 || response->status >= 300) return Refused(DescribeRefusal(response->status, response->body));
  *reply = std::move(response->body);
  return kExitOk;
}

void CommandContext::PrintJson(const json& value) { out_ << value.dump(2) << "\n"; }

}  // namespace buildfarm::cli
