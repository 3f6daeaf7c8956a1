#include "scheduler/server/config.h"

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include <optional>
#include <set>

#include "common/file_reader.h"
#include "common/git_publisher/publish_settings.h"
#include "common/text.h"
#include "common/yaml_config.h"
#include "scheduler/alerts/backup_choice.h"
#include "scheduler/store/job.h"  // CheckNodeName, for metrics.message_recipients

namespace buildfarm::scheduler {
namespace {

using yaml_config::CheckKeys;
using yaml_config::KeyError;
using yaml_config::ReadPositiveDuration;

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status ParseClaimLimits(const YAML::Node& t, std::string_view source, const std::string& at, AgentClaimLimits* out) {
  if (const YAML::Node labels = t["labels"]) {
    if (!labels.IsMap()) return KeyError(source, at + ".labels", "want a map of label: value");
    out->labels.emplace();
    for (const auto& pair : labels) {
      if (!pair.second.IsScalar()) {
        return KeyError(source, at + ".labels." + pair.first.as<std::string>(), "want a string value");
      }
      (*out->labels)[pair.first.as<std::string>()] = pair.second.as<std::string>();
    }
  }
  if (const YAML::Node capacity = t["capacity"]) {
    BUILDFARM_RETURN_IF_ERROR(CheckKeys(capacity, {"cores", "memory_bytes", "disk_bytes"}, source, at + ".capacity."));
    for (const auto& pair : capacity) {
      const std::string key = pair.first.as<std::string>();
      double value = -1;
      if (!pair.second.IsScalar() || !YAML::convert<double>::decode(pair.second, value) || !(value >= 0) ||
          !(value < 9.2e18)) {
        return KeyError(source, std::string(at).append(".capacity.").append(key), "want a non-negative number");
      }
      if (key == "cores") out->max_cores = value;
      if (key == "memory_bytes") out->max_memory_bytes = static_cast<std::int64_t>(value);
      if (key == "disk_bytes") out->max_disk_bytes = static_cast<std::int64_t>(value);
    }
  }
  return Status::Ok();
}

Status ParseTokens(const YAML::Node& node, std::string_view source, SchedulerConfig* out) {
  if (!node.IsSequence()) return KeyError(source, "tokens", "want a list");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node t = node[i];
    std::string at = "tokens[" + std::to_string(i) + "]";
    BUILDFARM_RETURN_IF_ERROR(CheckKeys(t, {"name", "role", "node", "sha256", "labels", "capacity"}, source, at + "."));
    TokenConfig token;
    token.name = t["name"] ? t["name"].as<std::string>() : "";
    if (token.name.empty()) return KeyError(source, at + ".name", "required");
    std::optional<Role> role = ParseRole(t["role"] ? t["role"].as<std::string>() : "");
    if (!role) return KeyError(source, at + ".role", kRoleNames);
    token.role = *role;
    token.node = t["node"] ? t["node"].as<std::string>() : "";
    if (token.role == Role::kAgent && token.node.empty()) return KeyError(source, at + ".node", "required for role agent");
    if (token.role != Role::kAgent && !token.node.empty()) return KeyError(source, at + ".node", "only for role agent");
    for (const char* agent_only : {"labels", "capacity"}) {
      if (token.role != Role::kAgent && t[agent_only]) return KeyError(source, at + "." + agent_only, "only for role agent");
    }
    BUILDFARM_RETURN_IF_ERROR(ParseClaimLimits(t, source, at, &token.claims));
    token.sha256 = t["sha256"] ? t["sha256"].as<std::string>() : "";
    for (char& c : token.sha256) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!IsSha256Hex(token.sha256)) return KeyError(source, at + ".sha256", "want 64 hex digits (sha256sum of the token)");
    out->tokens.push_back(std::move(token));
  }
  return Status::Ok();
}

Status ParsePrometheus(const YAML::Node& node, std::string_view source, PrometheusConfig* out) {
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, {"url", "refresh_interval", "timeout", "queries", "ready_window", "ca_file",
                                             "cert_file", "key_file"}, source, "prometheus."));
  if (node["url"]) out->url = node["url"].as<std::string>();
  if (node["ca_file"]) out->tls.ca_file = node["ca_file"].as<std::string>();
  if (node["cert_file"]) out->tls.cert_file = node["cert_file"].as<std::string>();
  if (node["key_file"]) out->tls.key_file = node["key_file"].as<std::string>();
  if (out->tls.cert_file.empty() != out->tls.key_file.empty()) {
    return KeyError(source, out->tls.cert_file.empty() ? "prometheus.cert_file" : "prometheus.key_file",
                    "cert_file and key_file go together (the client certificate and its key)");
  }
  if (!out->url.empty() && out->url.rfind("http://", 0) != 0 && out->url.rfind("https://", 0) != 0) {
    return KeyError(source, "prometheus.url", "want an http:// or https:// URL");
  }
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(node["refresh_interval"], source, "prometheus.refresh_interval",
                                         &out->refresh_interval_seconds));
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(node["timeout"], source, "prometheus.timeout", &out->timeout_seconds));
  BUILDFARM_RETURN_IF_ERROR(
      ReadPositiveDuration(node["ready_window"], source, "prometheus.ready_window", &out->ready_window_seconds));
  if (const YAML::Node queries = node["queries"]) {
    if (!queries.IsMap()) return KeyError(source, "prometheus.queries", "want a mapping of name: PromQL");
    static const std::set<std::string> kQueryNames = {"cpu_utilisation", "memory_available", "build_fs_available",
                                                      "max_temperature", "probe_rtt"};
    for (const auto& entry : queries) {
      std::string name = entry.first.as<std::string>();
      if (kQueryNames.count(name) == 0) {
        return KeyError(source, "prometheus.queries." + name,
                        "unknown query (want cpu_utilisation, memory_available, build_fs_available, max_temperature "
                        "or probe_rtt)");
      }
      out->queries[name] = entry.second.as<std::string>();
    }
  }
  return Status::Ok();
}

// ---- metrics: what a /metrics scrape may cost (farm_status.h, message_metrics.h) ----
Status ParseMetrics(const YAML::Node& node, std::string_view source, SchedulerConfig* out) {
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, {"store_refresh", "message_recipients"}, source, "metrics."));
  BUILDFARM_RETURN_IF_ERROR(
      ReadPositiveDuration(node["store_refresh"], source, "metrics.store_refresh", &out->metrics_refresh_seconds));
  if (const YAML::Node recipients = node["message_recipients"]) {
    constexpr const char* kWant = "want a list of recipient names (DNS labels: 1-63 of a-z, 0-9 and -)";
    if (!recipients.IsSequence()) return KeyError(source, "metrics.message_recipients", kWant);
    for (const auto& name : recipients) {
      const std::string value = name.IsScalar() ? name.as<std::string>() : "";
      if (!CheckNodeName(value).ok()) return KeyError(source, "metrics.message_recipients", kWant);
      out->message_recipients.insert(value);
    }
  }
  return Status::Ok();
}
// ---- end of metrics ----
// "64MiB", "512KiB", "1GiB" or a plain number of bytes.
std::optional<std::int64_t> ParseByteSize(std::string_view text) {
  struct Unit { std::string_view suffix; std::int64_t bytes; };
  static constexpr Unit kUnits[] = {{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", std::int64_t{1} << 30}, {"B", 1}};
  for (const Unit& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.substr(text.size() - unit.suffix.size()) == unit.suffix) {
      auto number = text::ParseInt64(text::Trim(text.substr(0, text.size() - unit.suffix.size())));
      if (!number || *number < 0 || *number > (std::int64_t{1} << 40) / unit.bytes) return std::nullopt;
      return *number * unit.bytes;
    }
  }
  return text::ParseInt64(text);
}

Status ParseLogs(const YAML::Node& logs, std::string_view source, SchedulerConfig* config) {
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(logs, {"max_bytes_per_attempt"}, source, "logs."));
  if (const YAML::Node max = logs["max_bytes_per_attempt"]) {
    auto bytes = max.IsScalar() ? ParseByteSize(max.as<std::string>()) : std::nullopt;
    if (!bytes || *bytes < 1024 || *bytes > (std::int64_t{1} << 40)) {
      return KeyError(source, "logs.max_bytes_per_attempt", "want a size from 1KiB to 1TiB, such as 64MiB");
    }
    config->max_log_bytes_per_attempt = *bytes;
  }
  return Status::Ok();
}

// An age such as 30d, 12h or 90m; 0 (with or without a unit) disables.
Status ReadRetentionAge(const YAML::Node& node, std::string_view source, const std::string& key, double* out) {
  if (!node) return Status::Ok();
  const std::string text = node.IsScalar() ? node.as<std::string>() : "";
  auto seconds = text == "0" ? std::optional<double>(0) : text::ParseDurationSeconds(text);
  if (!seconds) return KeyError(source, key, "want an age such as 30d, 12h or 90m, or 0 to keep forever");
  *out = *seconds;
  return Status::Ok();
}

Status ParseRetention(const YAML::Node& retention, std::string_view source, RetentionConfig* out) {
  BUILDFARM_RETURN_IF_ERROR(
      CheckKeys(retention, {"jobs", "logs", "archived_messages", "interval"}, source, "retention."));
  BUILDFARM_RETURN_IF_ERROR(ReadRetentionAge(retention["jobs"], source, "retention.jobs", &out->jobs_seconds));
  BUILDFARM_RETURN_IF_ERROR(ReadRetentionAge(retention["logs"], source, "retention.logs", &out->logs_seconds));
  BUILDFARM_RETURN_IF_ERROR(ReadRetentionAge(retention["archived_messages"], source, "retention.archived_messages",
                                             &out->archived_messages_seconds));
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(retention["interval"], source, "retention.interval", &out->interval_seconds));
  return Status::Ok();
}

Result<SchedulerConfig> ParseDocument(const YAML::Node& root, std::string_view source) {
  SchedulerConfig config;
  if (!root || root.IsNull()) return config;
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(root, {"store", "tokens", "prometheus", "scheduling", "lease", "heartbeat",
                                             "cycle_interval", "backups", "failover", "publish",
                                             "metrics", "logs", "retention", "web_config_file"}, source, ""));
  if (root["web_config_file"]) config.web_config_file = root["web_config_file"].as<std::string>();
  if (const YAML::Node store = root["store"]) {
    BUILDFARM_RETURN_IF_ERROR(CheckKeys(store, {"path"}, source, "store."));
    if (store["path"]) config.store_path = store["path"].as<std::string>();
    if (config.store_path.empty()) return KeyError(source, "store.path", "must not be empty");
  }
  if (root["tokens"]) BUILDFARM_RETURN_IF_ERROR(ParseTokens(root["tokens"], source, &config));
  if (root["prometheus"]) BUILDFARM_RETURN_IF_ERROR(ParsePrometheus(root["prometheus"], source, &config.prometheus));
  if (const YAML::Node scheduling = root["scheduling"]) {
    if (!scheduling.IsMap()) return KeyError(source, "scheduling", "want a mapping (KubeSchedulerConfiguration style)");
    config.scheduling_yaml = YAML::Dump(scheduling);
  }
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(root["lease"], source, "lease", &config.lease_seconds));
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(root["heartbeat"], source, "heartbeat", &config.heartbeat_seconds));
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(root["cycle_interval"], source, "cycle_interval", &config.cycle_interval_seconds));
  if (config.heartbeat_seconds >= config.lease_seconds) {
    return KeyError(source, "heartbeat", "must be shorter than the lease");
  }
  if (const YAML::Node backups = root["backups"]) {
    if (!backups.IsMap()) return KeyError(source, "backups", "want a mapping of node: backup");
    for (const auto& entry : backups) {
      std::string node = entry.first.as<std::string>();
      std::string backup = entry.second.as<std::string>();
      if (node == backup) return KeyError(source, "backups." + node, "a node cannot back itself up");
      if (backup.empty() || (backup.find('=') != std::string::npos && !IsPoolLabel(backup))) {
        return KeyError(source, "backups." + node, "want a node name or a pool label key=value");
      }
      config.backups[node] = backup;
    }
  }
  if (const YAML::Node failover = root["failover"]) {
    BUILDFARM_RETURN_IF_ERROR(CheckKeys(failover, {"hold_down", "alerts"}, source, "failover."));
    BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(failover["hold_down"], source, "failover.hold_down",
                                                   &config.failover_hold_down_seconds));
    if (const YAML::Node alerts = failover["alerts"]) {
      if (!alerts.IsSequence()) return KeyError(source, "failover.alerts", "want a list of alert names");
      config.failover_alerts.clear();
      for (const auto& name : alerts) {
        if (!name.IsScalar() || name.as<std::string>().empty()) {
          return KeyError(source, "failover.alerts", "want a list of alert names");
        }
        config.failover_alerts.insert(name.as<std::string>());
      }
    }
  }
  if (const YAML::Node logs = root["logs"]) BUILDFARM_RETURN_IF_ERROR(ParseLogs(logs, source, &config));
  if (const YAML::Node retention = root["retention"]) {
    BUILDFARM_RETURN_IF_ERROR(ParseRetention(retention, source, &config.retention));
  }
  if (const YAML::Node publish = root["publish"]) {
    BUILDFARM_RETURN_IF_ERROR(git_publisher::ParsePublishSettings(publish, source, {}, &config.publish));
  }
  if (root["metrics"]) BUILDFARM_RETURN_IF_ERROR(ParseMetrics(root["metrics"], source, &config));
  return config;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kAgent: return "agent";
    case Role::kViewer: return "viewer";
    case Role::kWebhook: return "webhook";
    case Role::kOperator: return "operator";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kAdmin, Role::kOperator, Role::kViewer, Role::kAgent, Role::kWebhook}) {
    if (name == RoleName(role)) return role;
  }
  return std::nullopt;
}

Result<SchedulerConfig> ParseSchedulerConfig(std::string_view yaml_text, std::string_view source) {
  try {
    return ParseDocument(YAML::Load(std::string(yaml_text)), source);
  } catch (const YAML::Exception& e) {
    return ParseError(std::string(source) + ": " + e.what());
  }
}

Result<SchedulerConfig> LoadSchedulerConfig(const std::string& path) {
  auto text = ReadFileCapped(path, 4 << 20);
  if (!text.ok()) return text.status();
  return ParseSchedulerConfig(*text, path);
}

Status ResolveStorePath(SchedulerConfig& config, std::string_view source, std::string_view state_directory) {
  if (config.store_path.empty()) {
    std::string_view first = state_directory.substr(0, state_directory.find(':'));
    if (first.empty()) {
      return KeyError(source, "store.path",
                      "required (the SQLite file, e.g. /var/lib/buildfarm/scheduler.db), or run under systemd with "
                      "StateDirectory= so that $STATE_DIRECTORY names its folder");
    }
    config.store_path = std::string(first) + "/scheduler.db";
  }
  const auto slash = config.store_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : config.store_path.substr(0, slash));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return KeyError(source, "store.path", "directory " + dir + " of " + config.store_path + " does not exist");
  }
  return Status::Ok();
}

std::string EffectiveSchedulingYaml(const SchedulerConfig& config) {
  if (!config.scheduling_yaml.empty()) return config.scheduling_yaml;
  // NodeReady judges heartbeats by the same lease as the lease monitor.
  std::string yaml = "profiles:\n  - schedulerName: default\n    pluginConfig:\n      - name: NodeReady\n"
                     "        args: {lease: " + std::to_string(static_cast<long long>(config.lease_seconds * 1000)) + "ms}\n";
  if (config.prometheus.url.empty()) {
    yaml += "    plugins:\n      filter:\n        disabled: [{name: MetricsFresh}, {name: DiskSpace}]\n";
  }
  return yaml;
}

}  // namespace buildfarm::scheduler
