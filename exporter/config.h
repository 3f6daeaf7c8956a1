// ExporterConfig: the exporter's YAML configuration file (--config.file), parsed into typed values.
//
//   node_name: build1                 # default: the host name
//   collectors:                       # any --collector.* flag, without the "collector." prefix
//     filesystem.mount-timeout: 5s
//     diskstats: false
//   probes:
//     interval: 15s                   # default 15s
//     timeout: 2s                     # default 2s
//     ca_file: /etc/buildfarm/ca.crt  # verifies https probe URLs (default: the system store)
//     targets:
//       - {name: git, kind: tcp, address: "git.example:9418"}
//       - {name: api, kind: http, url: "http://127.0.0.1:8080/healthz"}
//       - {name: gw,  kind: icmp, address: "10.0.0.1"}
//   publish:                          # optional: publish /status.json to git (nodes/<node_name>/status.json),
//                                     #   by buildfarm-exporter-publish, which the exporter runs as its child
//     remote: git://git.example/farm.git   # https:// (token from GITHUB_TOKEN), ssh://, git://, file://
//     branch: status                  # default main; history_limit needs a dedicated branch
//     interval: 60s                   # default 60s
//     history_limit: 1440             # keep only the last N commits (orphan snapshots); 0 (default) = off
//     author: "build1 <buildfarm@build1>"   # default "buildfarm-exporter <buildfarm@localhost>"
//     state_dir: /var/lib/buildfarm-exporter/publish   # the local bare mirror (default shown)
//     ssh_key: /etc/buildfarm/id_ed25519               # default: the SSH agent
//     scheduler_url: http://scheduler:8080   # optional: fill the document's `metrics` (builds_today, ...)
//     token_file: /etc/buildfarm/viewer.token #   from GET /api/v1/nodes/<node_name> (a viewer token)
//     scheduler_timeout: 2s                  #   default 2s; unavailable: `metrics` is left out
//     scheduler_ca_file: /etc/buildfarm/ca.crt   # verifies an https scheduler_url (default: the system store)
//
// A key that is not known is an error naming it. Immutable after parsing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/git_publisher/publish_settings.h"
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
  std::string ca_file;  // for https targets; empty: the system's CA store
  std::vector<ProbeTarget> targets;
};

// The shared `publish:` keys (common/git_publisher/publish_settings.h) plus where the historical
// metrics come from.
struct PublishSettings : git_publisher::PublishSettings {
  PublishSettings() {
    author_name = "buildfarm-exporter";
    state_dir = "/var/lib/buildfarm-exporter/publish";
  }
  std::string scheduler_url;   // empty: the status document has no `metrics`
  std::string token_file;      // a viewer token for scheduler_url
  double scheduler_timeout_seconds = 2;
  std::string scheduler_ca_file;  // for an https scheduler_url; empty: the system's CA store
};

struct ExporterConfig {
  std::string node_name;
  // "filesystem.mount-timeout" -> ["5s"]; lists hold one entry per item.
  std::map<std::string, std::vector<std::string>> collector_options;
  ProbeSettings probes;
  PublishSettings publish;
};

std::string_view ProbeKindName(ProbeKind kind);

// Parses YAML text; `source` names the file in errors ("config.yml: probes.targets[1].kind: ...").
Result<ExporterConfig> ParseExporterConfig(std::string_view yaml_text, std::string_view source);
Result<ExporterConfig> LoadExporterConfig(const std::string& path);

}  // namespace buildfarm::exporter
