// SchedulerService: the scheduler daemon's moving parts behind the HTTP API.
//
// - The scheduling loop runs a cycle every `cycle_interval` and whenever Wake() is called (submit,
//   result, a node coming back). A cycle builds NodeViews from the node store, the latest metrics
//   snapshot, the reservations of active jobs and the in-flight load, then places the queued jobs in
//   queue order through the profile's plugins: a pinned job only on its pinned node, a failed-over
//   job on its preferred (backup) node when it fits there, else anywhere. Binding writes
//   JobStore::Assign and wakes the agents' long polls.
// - The lease monitor marks a node without heartbeat for `lease` down and fails its work over, both in
//   one transaction.
// - FailOver (lease, alerts, operators) requeues a node's assigned and running jobs with new attempts
//   (the old ones fenced) towards a target: the one asked for, else the node's healthy backup (a node or
//   the healthiest node of a pool label), else the pool; and records it in the FailoverStore.
// - Agent calls: register, heartbeat (which lists superseded attempts), long-poll for assignments.
//
// Thread-safe: API handlers call it from many threads; cycles are serialized by a mutex, the stores
// lock themselves, and long polls wait on a condition variable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/log.h"
#include "scheduler/framework/explain.h"
#include "scheduler/framework/in_flight.h"
#include "scheduler/framework/profile.h"
#include "scheduler/framework/scheduler.h"
#include "scheduler/metrics_source/metrics_source.h"
#include "scheduler/server/config.h"
#include "scheduler/server/server_metrics.h"
#include "scheduler/store/failover_store.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

double NowSeconds();
Time ToTime(double unix_seconds);
double ToUnix(Time time);
JobView ToJobView(const Job& job);
const char* NodeStateOf(const NodeRecord& node);

struct AttemptRef {
  std::string job_id;
  int attempt = 0;
};

// A node with what the API shows about it.
struct NodeStatus {
  NodeRecord record;
  std::string state;                 // ready, cordoned, draining, down
  Resources reservations;
  std::vector<std::string> running_jobs;
  std::optional<NodeMetrics> metrics;
  std::string backup;                // from the config, empty when none
};

class SchedulerService {
 public:
  SchedulerService(const SchedulerConfig& config, Database& database, JobStore& jobs, NodeStore& nodes,
                   FailoverStore& failovers,
                   std::shared_ptr<MetricsSource> metrics_source, const Profile& profile, const Logger& log);
  ~SchedulerService();
  SchedulerService(const SchedulerService&) = delete;
  SchedulerService& operator=(const SchedulerService&) = delete;

  // Starts the scheduling loop and the lease monitor; Stop() ends them and releases long polls.
  void Start();
  void Stop();
  bool stopping() const { return stopping_.load(); }

  // Asks for a cycle soon.
  void Wake();
  // Runs one cycle now, on the calling thread.
  CycleResult RunCycleNow();
  // Marks nodes whose lease expired at `now` down and fails their work over; returns their names.
  std::vector<std::string> CheckLeases(double now);

  // Moves `node`'s work away: assigned and running jobs are requeued (new attempt; the old one is fenced)
  // and queued jobs that preferred it are redirected, towards `to` when given, else towards ResolveBackup.
  // `cordon` also cordons the node. Records the failover under `reason` and counts it. The cordon, the
  // requeue, the redirect and the record are one transaction (joining the caller's, if open): after a
  // crash the node is either fully failed over or untouched.
  Result<FailoverRecord> FailOver(const std::string& node, const std::string& reason, const std::string& to,
                                  bool cordon, double now);
  // The node's configured backup if one is healthy at `now` (for a pool label, the healthiest ready
  // node carrying it); "" for the pool.
  std::string ResolveBackup(const std::string& node, double now);
  // Known, not down, and its last heartbeat within the lease.
  bool HeartbeatsHealthy(const std::string& node, double now);
  ServerMetrics& metrics() { return metrics_; }

  // The current snapshot, as a cycle would see it (in-flight load applied).
  std::vector<NodeView> BuildSnapshot(double now);
  Result<JobExplanation> ExplainJob(const std::string& id);
  std::vector<NodeStatus> ListNodes();
  Result<NodeStatus> GetNode(const std::string& name);

  // Agent protocol. Registering requeues the node's running attempts (a registering agent is a new
  // process that no longer runs them); its assigned, unstarted jobs stay for it to pick up.
  Result<NodeRecord> RegisterNode(NodeRecord node);
  // NotFound for an unknown node; otherwise the listed attempts that are no longer current.
  Result<std::vector<AttemptRef>> Heartbeat(const std::string& node, const std::vector<AttemptRef>& running);
  // Jobs assigned to `node` and not yet started; waits up to `wait_seconds` for one.
  Result<std::vector<Job>> WaitForAssignments(const std::string& node, double wait_seconds);
  // After a job left a node (result, cancel): metrics, in-flight records, next cycle.
  void OnAttemptFinished(const Job& job, bool reported);

  // Store writable and (when Prometheus is configured) its last query recent and successful.
  bool Ready(std::string* why);
  std::string RenderMetrics();
  const SchedulerConfig& config() const { return config_; }

 private:
  class StoreBinder;
  void Loop();
  void LeaseLoop();
  void NotifyAssignments();

  const SchedulerConfig& config_;
  Database& database_;
  JobStore& jobs_;
  NodeStore& nodes_;
  FailoverStore& failovers_;
  std::shared_ptr<MetricsSource> metrics_source_;
  const Profile& profile_;
  const Logger& log_;
  ServerMetrics metrics_;
  InFlightTracker in_flight_;
  std::unique_ptr<StoreBinder> binder_;

  std::mutex cycle_mu_;  // one cycle at a time; guards scheduler_
  std::unique_ptr<Scheduler> scheduler_;

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool wake_ = false;

  std::mutex assign_mu_;
  std::condition_variable assign_cv_;
  std::uint64_t assign_generation_ = 0;

  std::atomic<bool> stopping_{false};
  std::thread loop_thread_;
  std::thread lease_thread_;
};

}  // namespace buildfarm::scheduler
