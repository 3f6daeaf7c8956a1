// FarmHarness: a whole build farm on loopback for integration and fault tests — the real
// buildfarm-scheduler and buildfarm-agent binaries as child processes, each agent with its own workspace
// and token, and optionally a stub Prometheus (cpp-httplib in the test process) that answers the
// scheduler's five default instant queries and their timestamp(...) variants with chosen per-node loads,
// or real exporters with a real Prometheus (real_prometheus), optionally evaluating the alert rules and
// sending to a real Alertmanager that calls the scheduler's webhook (alertmanager); StopNode/StartNode
// take a node's exporter and agent away and bring them back.
//
// Everything lives in one TempDir; the scheduler's store survives a kill -9 + RestartScheduler() on the
// same port. Jobs write `echo $BUILDFARM_JOB_ID >> shared_file()` so that a test can check each ran
// exactly once (the file is world-writable: as root the agents run jobs as unprivileged uids). Not thread-safe except StubPrometheus::SetCpu, which locks.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/alertmanager_server.h"
#include "tests/integration/exporter_harness.h"
#include "tests/integration/prometheus_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {

class StubPrometheus {
 public:
  StubPrometheus();
  ~StubPrometheus();
  void SetCpu(const std::string& node, double utilisation);
  // Available memory reported for a node (default 64e9 bytes, more than any test job asks for).
  void SetMemoryAvailable(const std::string& node, double bytes);
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int queries_served() const;

 private:
  std::string Answer(const std::string& query);
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, double> cpu_;
  std::map<std::string, double> memory_available_;
  int served_ = 0;
};

struct FarmOptions {
  int agents = 3;
  bool prometheus = true;
  int agent_cores = 32;            // capacity override, so capacity is never the reason for a choice
  std::string lease = "3s";
  std::string heartbeat = "1s";
  std::string cycle_interval = "200ms";
  // Quickstart-style metrics: real exporters and a real Prometheus instead of the stub (which
  // `prometheus` then no longer asks for).
  bool real_prometheus = false;
  std::vector<std::string> extra_rule_files;  // absolute paths, loaded after recording.yml
  std::vector<std::string> scheduler_flags;  // extra flags, e.g. --web.assets-dir=...
  // With real_prometheus: Prometheus also evaluates alerting/rules/alerts.yml (every `for:` shortened to
  // `rule_for`) and sends its alerts to a real Alertmanager configured from alerting/alertmanager.yml, whose
  // webhook calls this farm's scheduler (alertmanager_server.h).
  bool alertmanager = false;
  std::string rule_for = "1s";
  std::map<std::string, std::string> backups;  // node -> backup, as in the scheduler's config
  std::string hold_down;                       // failover.hold_down; empty: the scheduler's default
  std::string publish;                         // the `publish:` mapping as flow YAML ("{remote: ...}"); empty: none
};

class Farm {
 public:
  explicit Farm(FarmOptions options = {});
  ~Farm();

  // Starts the stub Prometheus (if any), the scheduler and the agents; false with `error` set.
  bool Start(std::string* error);
  bool StartScheduler(std::string* error, const std::string& listen);
  // kill -9 the scheduler and start it again on the same address and store.
  bool KillAndRestartScheduler(std::string* error);
  // kill -9 agent `index` and its jobs' process groups, as when its host dies.
  void CrashAgent(int index);
  // The node's host goes away: its exporter (with real_prometheus) is killed and its agent crashes.
  void StopNode(int index);
  // The node comes back: its exporter on the same address and a new agent process, registered.
  bool StartNode(int index, std::string* error);

  nlohmann::json Call(const std::string& method, const std::string& path, const std::string& body = "",
                      int* status = nullptr);
  nlohmann::json Job(const std::string& id) { return Call("GET", "/api/v1/jobs/" + id); }
  // Every job in the store by id, page by page.
  std::map<std::string, nlohmann::json> AllJobs();
  // Polls until every job is terminal or the timeout passes; returns the jobs by id.
  std::map<std::string, nlohmann::json> WaitTerminal(const std::vector<std::string>& ids, double timeout_seconds);
  // One sample of the scheduler's /metrics by its key, e.g.
  // `buildfarm_scheduler_decisions_total{result="unschedulable"}`; 0 when absent.
  double SchedulerMetric(const std::string& key);
  // Ids in the shared file, in file order.
  std::vector<std::string> SharedFileLines() const;

  StubPrometheus* prometheus() { return prometheus_.get(); }
  // The real Prometheus (with `real_prometheus`), else null.
  PrometheusServer* real_prometheus() { return real_prometheus_.get(); }
  AlertmanagerServer* alertmanager() { return alertmanager_.get(); }
  const std::string& address() const { return address_; }
  const std::string& admin_token() const { return admin_token_; }
  const std::string& viewer_token() const { return viewer_token_; }  // role viewer, as the web page uses
  std::string shared_file() const { return dir_.Join("shared.txt"); }
  // Creates an empty file in the farm's directory that jobs may append to (mode 0666), as
  // shared_file() is: as root the agents run jobs as unprivileged uids.
  std::string JobWritableFile(std::string_view name) const;
  std::string node_name(int index) const { return "n" + std::to_string(index + 1); }
  ChildProcess& scheduler() { return *scheduler_; }
  ChildProcess& agent(int index) { return *agents_[index]; }
  TempDir& dir() { return dir_; }
  // The logs of every process, for failure messages.
  std::string Logs() const;

 private:
  FarmOptions options_;
  TempDir dir_{TempDirBase::kSystemTemp};  // jobs (unprivileged uids as root) append to shared_file()
  bool StartRealPrometheus(std::string* error);
  bool StartAlertmanager(std::string* rule_files, std::string* error);
  bool StartAgent(int index, std::string* error);
  std::unique_ptr<StubPrometheus> prometheus_;
  std::vector<RunningProgram> exporters_;
  std::unique_ptr<PrometheusServer> real_prometheus_;
  std::unique_ptr<AlertmanagerServer> alertmanager_;
  std::string config_path_;
  std::string address_;
  std::string admin_token_ = "admin-secret-token";
  std::string viewer_token_ = "viewer-secret-token";
  std::unique_ptr<ChildProcess> scheduler_;
  int scheduler_runs_ = 0;
  std::vector<std::unique_ptr<ChildProcess>> agents_;
  std::map<int, int> agent_starts_;  // agent index -> processes started (each logs to its own file)
  std::unique_ptr<httplib::Client> client_;
};

// Values of `key` over jobs, counted (e.g. assigned_to -> how many jobs).
std::map<std::string, int> CountBy(const std::map<std::string, nlohmann::json>& jobs, const std::string& key);

}  // namespace buildfarm::testing
