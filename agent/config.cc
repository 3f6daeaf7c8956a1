#include "agent/config.h"

#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>

#include "agent/job_identity.h"
#include "common/file_reader.h"
#include "common/secret_file.h"
#include "common/text.h"

namespace buildfarm::agent {
namespace {

Status KeyError(std::string_view source, const std::string& key, const std::string& what) {
  return InvalidArgument(std::string(source) + ": key " + key + ": " + what);
}

Status ReadString(const YAML::Node& node, std::string_view source, const std::string& key, std::string* out) {
  if (!node.IsScalar()) return KeyError(source, key, "must be a string");
  *out = node.as<std::string>();
  return Status::Ok();
}

Status ReadDuration(const YAML::Node& node, std::string_view source, const std::string& key,
                    std::optional<double>* out) {
  if (!node.IsScalar()) return KeyError(source, key, "must be a duration such as 5s");
  auto seconds = text::ParseDurationSeconds(node.as<std::string>());
  if (!seconds || *seconds <= 0) return KeyError(source, key, "bad duration \"" + node.as<std::string>() + "\"");
  *out = *seconds;
  return Status::Ok();
}

Status ReadCount(const YAML::Node& node, std::string_view source, const std::string& key,
                 std::optional<std::int64_t>* out) {
  auto value = node.IsScalar() ? text::ParseInt64(node.as<std::string>()) : std::nullopt;
  if (!value || *value <= 0) return KeyError(source, key, "must be a positive integer");
  *out = *value;
  return Status::Ok();
}

// A retention: a duration, where 0 is allowed (delete right away).
Status ReadRetention(const YAML::Node& node, std::string_view source, const std::string& key, std::optional<double>* out) {
  const std::string text = node.IsScalar() ? node.as<std::string>() : "";
  std::optional<double> seconds = text == "0" ? std::optional<double>(0) : text::ParseDurationSeconds(text);
  if (!seconds || *seconds < 0) return KeyError(source, key, "must be a duration such as 24h or 7d, or 0 (delete once reported)");
  *out = *seconds;
  return Status::Ok();
}

Status ParseJobs(const YAML::Node& node, std::string_view source, JobsConfig* jobs) {
  if (!node.IsMap()) return KeyError(source, "jobs", "must be a map");
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    const std::string full = "jobs." + key;
    const YAML::Node& value = entry.second;
    if (key == "run_as") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, full, &jobs->run_as));
      if (jobs->run_as.empty()) return KeyError(source, full, "must name a user");
    } else if (key == "uid_range") {
      std::optional<std::int64_t> first, count;
      if (!value.IsSequence() || value.size() != 2) return KeyError(source, full, "must be [first uid, count]");
      BUILDFARM_RETURN_IF_ERROR(ReadCount(value[0], source, full + "[0]", &first));
      BUILDFARM_RETURN_IF_ERROR(ReadCount(value[1], source, full + "[1]", &count));
      jobs->uid_range = {*first, *count};
    } else if (key == "umask") {
      auto mask = value.IsScalar() ? ParseUmask(value.as<std::string>()) : Result<mode_t>(InvalidArgument("must be an octal string such as \"077\""));
      if (!mask.ok()) return KeyError(source, full, mask.status().message());
      jobs->umask = *mask;
    } else if (key == "cgroup") {
      auto mode = value.IsScalar() ? ParseCgroupMode(value.as<std::string>()) : Result<CgroupMode>(InvalidArgument("must be auto, required or off"));
      if (!mode.ok()) return KeyError(source, full, mode.status().message());
      jobs->cgroup = *mode;
    } else if (key == "cgroup_root") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, full, &jobs->cgroup_root));
      if (jobs->cgroup_root.empty() || jobs->cgroup_root[0] != '/') return KeyError(source, full, "must be an absolute path");
    } else if (key == "workspace_retention") {
      BUILDFARM_RETURN_IF_ERROR(ReadRetention(value, source, full, &jobs->workspace_retention_seconds));
    } else if (key == "log_retention") {
      BUILDFARM_RETURN_IF_ERROR(ReadRetention(value, source, full, &jobs->log_retention_seconds));
    } else {
      return KeyError(source, full, "unknown key (allowed: run_as, uid_range, umask, cgroup, cgroup_root, workspace_retention, log_retention)");
    }
  }
  return Status::Ok();
}

Status ParseCapacity(const YAML::Node& node, std::string_view source, AgentConfig* config) {
  if (!node.IsMap()) return KeyError(source, "capacity", "must be a map");
  for (const auto& entry : node) {
    std::string key = entry.first.as<std::string>();
    std::string full = "capacity." + key;
    if (key == "cores") {
      BUILDFARM_RETURN_IF_ERROR(ReadCount(entry.second, source, full, &config->cores));
    } else if (key == "memory_bytes") {
      BUILDFARM_RETURN_IF_ERROR(ReadCount(entry.second, source, full, &config->memory_bytes));
    } else if (key == "disk_bytes") {
      BUILDFARM_RETURN_IF_ERROR(ReadCount(entry.second, source, full, &config->disk_bytes));
    } else {
      return KeyError(source, full, "unknown key");
    }
  }
  return Status::Ok();
}

Status ParseRoot(const YAML::Node& root, std::string_view source, AgentConfig* config) {
  if (!root.IsMap()) return InvalidArgument(std::string(source) + ": top level must be a map");
  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "scheduler_url") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->scheduler_url));
    } else if (key == "token_file") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->token_file));
    } else if (key == "scheduler_ca_file") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->scheduler_ca_file));
    } else if (key == "scheduler_cert_file") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->scheduler_cert_file));
    } else if (key == "scheduler_key_file") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->scheduler_key_file));
    } else if (key == "web_config_file") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->web_config_file));
    } else if (key == "node_name") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->node_name));
    } else if (key == "workspace") {
      BUILDFARM_RETURN_IF_ERROR(ReadString(value, source, key, &config->workspace));
    } else if (key == "heartbeat_interval") {
      BUILDFARM_RETURN_IF_ERROR(ReadDuration(value, source, key, &config->heartbeat_interval_seconds));
    } else if (key == "kill_grace_period") {
      BUILDFARM_RETURN_IF_ERROR(ReadDuration(value, source, key, &config->kill_grace_seconds));
    } else if (key == "labels") {
      if (!value.IsMap()) return KeyError(source, key, "must be a map of strings");
      for (const auto& label : value) {
        if (!label.second.IsScalar()) return KeyError(source, "labels." + label.first.as<std::string>(), "must be a string");
        config->labels[label.first.as<std::string>()] = label.second.as<std::string>();
      }
    } else if (key == "profiles") {
      if (!value.IsSequence()) return KeyError(source, key, "must be a list of strings");
      for (const auto& profile : value) {
        if (!profile.IsScalar()) return KeyError(source, key, "must be a list of strings");
        config->profiles.push_back(profile.as<std::string>());
      }
    } else if (key == "capacity") {
      BUILDFARM_RETURN_IF_ERROR(ParseCapacity(value, source, config));
    } else if (key == "jobs") {
      BUILDFARM_RETURN_IF_ERROR(ParseJobs(value, source, &config->jobs));
    } else {
      return KeyError(source, key, "unknown key");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(std::string_view yaml_text, std::string_view source) {
  AgentConfig config;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (root.IsNull()) return config;
    Status status = ParseRoot(root, source, &config);
    if (!status.ok()) return status;
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ": " + e.what());
  }
  return config;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  auto text = ReadFileCapped(path, 1 << 20);
  if (!text.ok()) return InvalidArgument("config file " + path + ": " + text.status().message());
  return ParseAgentConfig(*text, path);
}

Result<std::string> ResolveToken(const std::string& token_file) {
  if (!token_file.empty()) return ReadSecretFile(token_file, "token file");
  // systemd's LoadCredential=agent.token:... hands the service a copy only it can read.
  const char* credentials = std::getenv("CREDENTIALS_DIRECTORY");
  if (credentials != nullptr && *credentials != '\0') {
    const std::string credential = std::string(credentials) + "/agent.token";
    if (::access(credential.c_str(), F_OK) == 0) return ReadSecretFile(credential, "credential");
  }
  const char* env = std::getenv("BUILDFARM_AGENT_TOKEN");
  if (env != nullptr && *env != '\0') return std::string(text::Trim(env));
  return InvalidArgument("no token: set token_file in the config, --scheduler.token-file, or BUILDFARM_AGENT_TOKEN");
}

}  // namespace buildfarm::agent
