#include "exporter/config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "common/file_reader.h"
#include "common/git_publisher/publisher.h"
#include "common/text.h"
#include "common/yaml_config.h"

namespace buildfarm::exporter {
namespace {

using yaml_config::CheckKeys;
using yaml_config::KeyError;
using yaml_config::ReadPositiveDuration;

Status ParseProbes(const YAML::Node& node, std::string_view source, ProbeSettings* out) {
  if (!node.IsMap()) return KeyError(source, "probes", "want a mapping");
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, {"interval", "timeout", "targets"}, source, "probes."));
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(node["interval"], source, "probes.interval", &out->interval_seconds));
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(node["timeout"], source, "probes.timeout", &out->timeout_seconds));
  const YAML::Node targets = node["targets"];
  if (!targets) return Status::Ok();
  if (!targets.IsSequence()) return KeyError(source, "probes.targets", "want a list");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const YAML::Node t = targets[i];
    std::string at = "probes.targets[" + std::to_string(i) + "]";
    if (!t.IsMap()) return KeyError(source, at, "want a mapping");
    BUILDFARM_RETURN_IF_ERROR(CheckKeys(t, {"name", "kind", "address", "url"}, source, at + "."));
    ProbeTarget target;
    if (!t["name"] || t["name"].as<std::string>().empty()) return KeyError(source, at + ".name", "required");
    target.name = t["name"].as<std::string>();
    if (!seen.insert(target.name).second) return KeyError(source, at + ".name", "duplicate name " + target.name);
    std::string kind = t["kind"] ? t["kind"].as<std::string>() : "";
    if (kind == "tcp") {
      target.kind = ProbeKind::kTcp;
    } else if (kind == "http") {
      target.kind = ProbeKind::kHttp;
    } else if (kind == "icmp") {
      target.kind = ProbeKind::kIcmp;
    } else {
      return KeyError(source, at + ".kind", "want tcp, http or icmp");
    }
    if (target.kind == ProbeKind::kHttp) {
      if (!t["url"]) return KeyError(source, at + ".url", "required for kind http");
      target.url = t["url"].as<std::string>();
      if (target.url.rfind("http://", 0) != 0 && target.url.rfind("https://", 0) != 0) {
        return KeyError(source, at + ".url", "want an http:// or https:// URL");
      }
    } else {
      if (!t["address"]) return KeyError(source, at + ".address", "required for kind " + kind);
      target.address = t["address"].as<std::string>();
      if (target.kind == ProbeKind::kTcp && target.address.rfind(':') == std::string::npos) {
        return KeyError(source, at + ".address", "want HOST:PORT");
      }
    }
    out->targets.push_back(std::move(target));
  }
  return Status::Ok();
}

// "Name <email>".
Status ParseAuthor(const std::string& text, std::string_view source, PublishSettings* out) {
  std::size_t open = text.find('<');
  std::size_t close = text.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open + 2 || close + 1 != text.size()) {
    return KeyError(source, "publish.author", "want \"Name <email>\"");
  }
  std::string name = std::string(text::Trim(text.substr(0, open)));
  if (name.empty()) return KeyError(source, "publish.author", "the name is empty");
  out->author_name = name;
  out->author_email = text.substr(open + 1, close - open - 1);
  return Status::Ok();
}

Status ParsePublish(const YAML::Node& node, std::string_view source, PublishSettings* out) {
  if (!node.IsMap()) return KeyError(source, "publish", "want a mapping");
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(
      node, {"remote", "branch", "interval", "history_limit", "author", "state_dir", "ssh_key"}, source, "publish."));
  out->enabled = true;
  if (!node["remote"] || node["remote"].as<std::string>().empty()) return KeyError(source, "publish.remote", "required");
  out->remote = node["remote"].as<std::string>();
  if (git_publisher::UrlCarriesPassword(out->remote)) {
    return KeyError(source, "publish.remote", "must not carry a password; set GITHUB_TOKEN or use an SSH key");
  }
  if (node["branch"]) out->branch = node["branch"].as<std::string>();
  if (out->branch.empty()) return KeyError(source, "publish.branch", "empty");
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(node["interval"], source, "publish.interval", &out->interval_seconds));
  if (node["history_limit"]) {
    out->history_limit = node["history_limit"].as<int>();
    if (out->history_limit < 0) return KeyError(source, "publish.history_limit", "want 0 (off) or a positive count");
    if (out->history_limit > 0 && (out->branch == "main" || out->branch == "master")) {
      return KeyError(source, "publish.branch",
                      "history_limit rewrites the branch; set a dedicated branch (e.g. status), not " + out->branch);
    }
  }
  if (node["author"]) BUILDFARM_RETURN_IF_ERROR(ParseAuthor(node["author"].as<std::string>(), source, out));
  if (node["state_dir"]) out->state_dir = node["state_dir"].as<std::string>();
  if (out->state_dir.empty()) return KeyError(source, "publish.state_dir", "empty");
  if (node["ssh_key"]) out->ssh_key = node["ssh_key"].as<std::string>();
  return Status::Ok();
}

Status ParseCollectorOptions(const YAML::Node& node, std::string_view source, ExporterConfig* out) {
  if (!node.IsMap()) return KeyError(source, "collectors", "want a mapping of collector options");
  for (const auto& entry : node) {
    std::string key = entry.first.as<std::string>();
    std::vector<std::string> values;
    if (entry.second.IsSequence()) {
      for (const auto& item : entry.second) values.push_back(item.as<std::string>());
    } else if (entry.second.IsScalar()) {
      values.push_back(entry.second.as<std::string>());
    } else {
      return KeyError(source, "collectors." + key, "want a value or a list");
    }
    out->collector_options[key] = std::move(values);
  }
  return Status::Ok();
}

}  // namespace

std::string_view ProbeKindName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kTcp: return "tcp";
    case ProbeKind::kHttp: return "http";
    case ProbeKind::kIcmp: return "icmp";
  }
  return "tcp";
}

Result<ExporterConfig> ParseExporterConfig(std::string_view yaml_text, std::string_view source) {
  ExporterConfig config;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (root.IsNull()) return config;
    if (!root.IsMap()) return InvalidArgument(std::string(source) + ": want a mapping at the top level");
    BUILDFARM_RETURN_IF_ERROR(CheckKeys(root, {"node_name", "collectors", "probes", "publish"}, source, ""));
    if (root["node_name"]) config.node_name = root["node_name"].as<std::string>();
    if (root["collectors"]) BUILDFARM_RETURN_IF_ERROR(ParseCollectorOptions(root["collectors"], source, &config));
    if (root["probes"]) BUILDFARM_RETURN_IF_ERROR(ParseProbes(root["probes"], source, &config.probes));
    if (root["publish"]) BUILDFARM_RETURN_IF_ERROR(ParsePublish(root["publish"], source, &config.publish));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ": " + e.what());
  }
  return config;
}

Result<ExporterConfig> LoadExporterConfig(const std::string& path) {
  auto text = ReadFileCapped(path, 1u << 20);
  if (!text.ok()) return InvalidArgument("config file: " + text.status().message());
  return ParseExporterConfig(*text, path);
}

}  // namespace buildfarm::exporter
