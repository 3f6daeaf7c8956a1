// SchedulerConfig: buildfarm-scheduler's YAML configuration (--config.file), parsed once into typed values.
//
//   store:
//     path: /var/lib/buildfarm/scheduler.db   # SQLite (WAL). Required, unless systemd sets $STATE_DIRECTORY
//                                             # (then $STATE_DIRECTORY/scheduler.db)
//   tokens:                                   # bearer tokens, kept as SHA-256 hex digests
//     - {name: ops,    role: admin,  sha256: 5e88...}
//     - {name: build1, role: agent,  node: build1, sha256: 9f86...,
//        labels: {os: linux, arch: amd64, pool: fast},      # optional: the only labels build1 may claim
//        capacity: {cores: 16, memory_bytes: 68719476736}}  # optional: the most it may claim
//     - {name: grafana, role: viewer, sha256: ...}
//     - {name: ci,      role: operator, sha256: ...}   # submit/cancel/retry/assign jobs
//                                             # (more tokens: build-cli token create, kept in the store)
//   prometheus:                               # omit (or leave url empty) to schedule without metrics
//     url: https://127.0.0.1:9090
//     ca_file: /etc/buildfarm/ca.crt          # verifies an https url (default: the system store)
//     cert_file: /etc/buildfarm/sched.crt     # optional client certificate, with key_file
//     key_file: /etc/buildfarm/sched.key
//     refresh_interval: 5s
//     timeout: 3s
//     queries: {cpu_utilisation: 'buildfarm:node_cpu_utilisation:ratio', ...}
//     ready_window: 20s                       # /readyz fails when the last successful query is older;
//                                             # default 3 x refresh_interval + timeout
//   web_config_file: /etc/buildfarm/scheduler-web.yml  # TLS of the listener (common/web_config.h);
//                                             # --web.config.file wins. Without TLS, listening beyond
//                                             # loopback needs --insecure-http.
//   scheduling:                               # a KubeSchedulerConfiguration-style document, see
//     profiles: [...]                         # scheduler/framework/profile.h
//   lease: 15s                                # no heartbeat for this long: the node is down
//   heartbeat: 5s                             # what agents are told to use
//   cycle_interval: 1s                        # scheduling cycles also run on every submit and result
//   backups:                                  # where a failed node's work goes while its backup is healthy
//     build1: build2                          #   a node name,
//     build3: pool=fast                       #   or a pool label: the healthiest ready node carrying it
//                                             # (fewest active jobs, then lowest CPU); otherwise the pool
//   failover:
//     hold_down: 2m                           # a resolved alert uncordons its node after this long, once
//                                             # the node's heartbeats are healthy
//     alerts: [BuildNodeDown, ...]            # the alert names that may fail a node over
//   metrics:                                  # what a /metrics scrape may cost
//     store_refresh: 15s                      # table counts (jobs by state, unread messages) at most this often
//     message_recipients: [ops]               # own buildfarm_messages_unread series besides `all` and nodes
//   logs:
//     max_bytes_per_attempt: 64MiB            # an attempt's log is cut here, ending in a marker line
//                                             # (bytes, or KiB/MiB/GiB; 1KiB to 1TiB)
//   retention:                                # finished jobs, their logs and archived messages older
//     jobs: 30d                               # than this are deleted by a periodic sweep (s, m, h or d;
//     logs: 7d                                # 0 keeps them forever); a job that an unfinished job
//     archived_messages: 30d                  # depends on is kept; a job whose log expired stays,
//     interval: 1h                            # marked log-expired
//   publish:                                  # optional: publish coordination files to git (same keys
//     remote: git://git.example/farm.git      # as the exporter's, common/git_publisher/publish_settings.h):
//     branch: main                            # coordination/jobs.json (unfinished + latest 500 jobs),
//     interval: 60s                           # coordination/messages.json (active messages),
//     history_limit: 0                        # nodes/index.json (node names) every interval, and
//     author: "buildfarm-scheduler <buildfarm@localhost>"    # coordination/archive/<YYYY-MM-DD>.json
//     state_dir: /var/lib/buildfarm-scheduler/publish       # when messages are archived (by the API
//     ssh_key: /etc/buildfarm/id_ed25519      # or daily, 30 days); GITHUB_TOKEN for https://
//
// Without a `scheduling` section and without Prometheus, the default profile leaves out MetricsFresh and
// DiskSpace (there are no metrics to judge by). Unknown keys are errors naming the key. Plain values; thread-safe
// to read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/git_publisher/publish_settings.h"
#include "common/http_client.h"
#include "common/status.h"

namespace buildfarm::scheduler {

// What each role may call is Authorize() in auth.h (and docs/api.md, "Roles").
// operator: reads, and submits, cancels, retries and assigns jobs; nothing else.
// webhook: Alertmanager's token; it may only deliver notifications to POST /api/v1/alertmanager.
enum class Role { kAdmin, kAgent, kViewer, kWebhook, kOperator };
const char* RoleName(Role role);
// The role of that name ("admin", "operator", "viewer", "agent", "webhook"), else nullopt.
std::optional<Role> ParseRole(std::string_view name);
inline constexpr const char* kRoleNames = "want admin, operator, viewer, agent or webhook";

// What an agent token's node may claim when it registers. A process that gets hold of the token (a job
// that stole it) could otherwise re-register the node with invented labels or capacity and attract work
// meant for other machines. Unset parts are not limited (the scheduler warns at start).
struct AgentClaimLimits {
  std::optional<std::map<std::string, std::string>> labels;  // the only label pairs the node may claim
  std::optional<double> max_cores;
  std::optional<std::int64_t> max_memory_bytes;
  std::optional<std::int64_t> max_disk_bytes;

  bool limits_anything() const { return labels || max_cores || max_memory_bytes || max_disk_bytes; }
};

struct TokenConfig {
  std::string name;
  Role role = Role::kViewer;
  std::string node;    // agents: the node the token acts for
  std::string sha256;  // lowercase hex digest of the token
  AgentClaimLimits claims;  // agents only
};

struct PrometheusConfig {
  std::string url;  // empty: no Prometheus
  double refresh_interval_seconds = 5;
  double timeout_seconds = 3;
  std::map<std::string, std::string> queries;  // passed through to the metrics source
  double ready_window_seconds = 0;             // 0: 3 x refresh_interval + timeout
  TlsClientOptions tls;                        // ca_file, cert_file, key_file for an https:// url
};

struct RetentionConfig {
  double jobs_seconds = 30 * 86400.0;               // 0: keep forever
  double logs_seconds = 7 * 86400.0;
  double archived_messages_seconds = 30 * 86400.0;
  double interval_seconds = 3600;                   // how often the sweep runs
};

inline git_publisher::PublishSettings DefaultPublishSettings() {
  git_publisher::PublishSettings settings;
  settings.author_name = "buildfarm-scheduler";
  settings.state_dir = "/var/lib/buildfarm-scheduler/publish";
  return settings;
}

struct SchedulerConfig {
  std::string store_path;  // empty until ResolveStorePath: there is no default in the working directory
  std::vector<TokenConfig> tokens;
  PrometheusConfig prometheus;
  std::string web_config_file;  // web-config.yml for the listener (TLS, headers); --web.config.file wins
  std::string scheduling_yaml;  // the `scheduling` section re-emitted as YAML; empty when absent
  double lease_seconds = 15;
  double heartbeat_seconds = 5;
  double cycle_interval_seconds = 1;
  std::map<std::string, std::string> backups;  // node -> backup node or pool label "key=value"
  double failover_hold_down_seconds = 120;
  // failover.alerts: the alert names whose firing may fail a node over (with action="failover"); others
  // are acknowledged and ignored, so a mislabelled rule cannot drain the farm.
  std::set<std::string> failover_alerts{"BuildNodeDown", "BuildNodeDiskAlmostFull", "BuildNodeTooHot"};
  // metrics: what a scrape of /metrics (no token needed) may cost.
  // metrics.store_refresh: the job counts by state, the oldest queued job and the unread message counts
  // (scans of whole tables) are recomputed at most this often; scrapes in between show the last ones.
  // 0 (not allowed in YAML; in-process tests) recomputes on every scrape.
  double metrics_refresh_seconds = 15;
  // metrics.message_recipients: names besides `all` and the farm's nodes (registered, or named by an agent
  // token or in `backups`) whose unread messages get their own buildfarm_messages_unread series.
  std::set<std::string> message_recipients;
  std::int64_t max_log_bytes_per_attempt = std::int64_t{64} << 20;  // logs.max_bytes_per_attempt
  RetentionConfig retention;
  git_publisher::PublishSettings publish = DefaultPublishSettings();
  std::string web_assets_dir;  // flag --web.assets-dir (not YAML): serve the page from here, else the built-in copy
};

// Parses the YAML text; `source` names the file in errors ("config.yaml: tokens[1].role: ...").
Result<SchedulerConfig> ParseSchedulerConfig(std::string_view yaml_text, std::string_view source);
Result<SchedulerConfig> LoadSchedulerConfig(const std::string& path);

// Fills an absent store.path from systemd's $STATE_DIRECTORY (`state_directory`, empty when unset; the first
// of a colon-separated list), then checks that the store's directory exists. Errors name the key and path;
// `source` names the config file (or says there is none).
Status ResolveStorePath(SchedulerConfig& config, std::string_view source, std::string_view state_directory);

// The scheduling profiles' YAML to use: the configured section, or a default profile whose NodeReady
// uses the configured lease (and without MetricsFresh and DiskSpace when no Prometheus is configured).
std::string EffectiveSchedulingYaml(const SchedulerConfig& config);

}  // namespace buildfarm::scheduler
