#include "exporter/config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "common/file_reader.h"
#include "common/text.h"
#include "common/yaml_config.h"

namespace buildfarm::exporter {
namespace {

using yaml_config::CheckKeys;
using yaml_config::KeyError;
using yaml_config::ReadPositiveDuration;

Status ParseProbes(const YAML::Node& node, std::string_view source, ProbeSettings* out) {
  if (!node.IsMap()) return KeyError(source, "probes", "want a mapping");
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, {"interval", "timeout", "ca_file", "targets"}, source, "probes."));
  if (node["ca_file"]) out->ca_file = node["ca_file"].as<std::string>();
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

Status ParsePublish(const YAML::Node& node, std::string_view source, PublishSettings* out) {
  BUILDFARM_RETURN_IF_ERROR(git_publisher::ParsePublishSettings(
      node, source, {"scheduler_url", "token_file", "scheduler_timeout", "scheduler_ca_file"}, out));
  if (node["scheduler_ca_file"]) out->scheduler_ca_file = node["scheduler_ca_file"].as<std::string>();
  if (node["scheduler_url"]) out->scheduler_url = node["scheduler_url"].as<std::string>();
  if (!out->scheduler_url.empty() && out->scheduler_url.rfind("http://", 0) != 0 &&
      out->scheduler_url.rfind("https://", 0) != 0) {
    return KeyError(source, "publish.scheduler_url", "want an http:// or https:// URL");
  }
  if (node["token_file"]) out->token_file = node["token_file"].as<std::string>();
  if (!out->scheduler_url.empty() && out->token_file.empty()) {
    return KeyError(source, "publish.token_file", "required with scheduler_url (a viewer token)");
  }
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(node["scheduler_timeout"], source, "publish.scheduler_timeout",
                                                 &out->scheduler_timeout_seconds));
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
