// ExporterConfig: the exporter's YAML configuration file (--config.file), parsed into typed values.
//
//   node_name: build1                 # default: the host name
//   collectors:                       # any --collector.* flag, without the "collector." prefix
//     filesystem.mount-timeout: 5s
//     diskstats: false
//   probes:
//     interval: 15s                   # default 15s
//     timeout: 2s                     # default 2s
//     targets:
//       - {name: git, kind: tcp, address: "git.example:9418"}
//       - {name: api, kind: http, url: "http://127.0.0.1:8080/healthz"}
//       - {name: gw,  kind: icmp, address: "10.0.0.1"}
//
// A key that is not known is an error naming it. Immutable after parsing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace buildfarm::exporter {

enum class ProbeKind { kTcp, kHttp, kIcmp };

struct ProbeTarget {
  std::string name;     // the `target` label
  ProbeKind kind = ProbeKind::kTcp;
  std::string address;  // host:port for tcp, host for icmp
  std::string url;      // for http
};

struct ProbeSettings {
  double interval_seconds = 15;
  double timeout_seconds = 2;
  std::vector<ProbeTarget> targets;
};

struct ExporterConfig {
  std::string node_name;
  // "filesystem.mount-timeout" -> ["5s"]; lists hold one entry per item.
  std::map<std::string, std::vector<std::string>> collector_options;
  ProbeSettings probes;
};

std::string_view ProbeKindName(ProbeKind kind);

// Parses YAML text; `source` names the file in errors ("config.yml: probes.targets[1].kind: ...").
Result<ExporterConfig> ParseExporterConfig(std::string_view yaml_text, std::string_view source);
Result<ExporterConfig> LoadExporterConfig(const std::string& path);

}  // namespace buildfarm::exporter
