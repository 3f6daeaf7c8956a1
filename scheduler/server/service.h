// SchedulerService: the scheduling loop and the agent protocol, and the owner of the parts that share
// its metrics, in-flight records and wake-ups:
//
// - The scheduling loop (here) runs a cycle every `cycle_interval` and whenever Wake() is called
//   (submit, result, a node coming back). A cycle builds NodeViews from the node store, the latest
//   metrics snapshot, the reservations of active jobs and the in-flight load, then places the queued
//   jobs in queue order through the profile's plugins: a pinned job only on its pinned node, a
//   failed-over job on its preferred (backup) node when it fits there, else anywhere. Binding writes
//   JobStore::Assign and wakes the agents' long polls.
// - The agent protocol (here, service_agents.cc): register (with the requeue of a restarted agent's
//   running attempts, in one transaction), heartbeat (which lists superseded attempts), long-poll for
//   assignments.
// - Failover (failover.h): moves a node's work away, in one transaction.
// - LeaseMonitor (lease_monitor.h): marks silent nodes down and fails them over.
// - FarmStatus (farm_status.h): node listings, readiness and /metrics, read-only.
//
// Thread-safe: API handlers call it from many threads; cycles are serialized by a mutex, the stores
// serialize on the shared Database, and long polls wait on a condition variable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/log.h"
#include "scheduler/framework/explain.h"
#include "scheduler/framework/in_flight.h"
#include "scheduler/framework/profile.h"
#include "scheduler/framework/scheduler.h"
#include "scheduler/metrics_source/metrics_source.h"
#include "scheduler/server/config.h"
#include "scheduler/server/failover.h"
#include "scheduler/server/farm_status.h"
#include "scheduler/server/lease_monitor.h"
#include "scheduler/server/server_metrics.h"
#include "scheduler/store/failover_store.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

double NowSeconds();
Time ToTime(double unix_seconds);
double ToUnix(Time time);
JobView ToJobView(const Job& job);

struct AttemptRef {
  std::string job_id;
  int attempt = 0;
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
  // The current snapshot, as a cycle would see it (in-flight load applied).
  std::vector<NodeView> BuildSnapshot(double now);
  Result<JobExplanation> ExplainJob(const std::string& id);
  // Agent protocol. Registering requeues the node's running attempts (a registering agent is a new
  // process that no longer runs them); its assigned, unstarted jobs stay for it to pick up.
  Result<NodeRecord> RegisterNode(NodeRecord node);
  // NotFound for an unknown node; otherwise the listed attempts that are no longer current.
  Result<std::vector<AttemptRef>> Heartbeat(const std::string& node, const std::vector<AttemptRef>& running);
  // Jobs assigned to `node` and not yet started; waits up to `wait_seconds` for one.
  Result<std::vector<Job>> WaitForAssignments(const std::string& node, double wait_seconds);
  // After a job left a node (result, cancel): metrics, in-flight records, next cycle.
  void OnAttemptFinished(const Job& job, bool reported);

  ServerMetrics& metrics() { return metrics_; }
  const SchedulerConfig& config() const { return config_; }
  Failover& failover() { return failover_; }
  LeaseMonitor& lease_monitor() { return lease_monitor_; }
  FarmStatus& status() { return status_; }
  // Before Start(): where failovers, cordons and lease expiries are audited (null: nowhere).
  void SetAudit(AuditStore* audit) {
    failover_.SetAudit(audit);
    lease_monitor_.SetAudit(audit);
  }

 private:
  class StoreBinder;
  void Loop();
  void NotifyAssignments();

  const SchedulerConfig& config_;
  Database& database_;
  JobStore& jobs_;
  NodeStore& nodes_;
  std::shared_ptr<MetricsSource> metrics_source_;
  const Profile& profile_;
  const Logger& log_;
  ServerMetrics metrics_;
  InFlightTracker in_flight_;
  std::unique_ptr<StoreBinder> binder_;
  Failover failover_;
  LeaseMonitor lease_monitor_;
  FarmStatus status_;

  Mutex cycle_mu_;  // one cycle at a time
  std::unique_ptr<Scheduler> scheduler_ PT_GUARDED_BY(cycle_mu_);

  Mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool wake_ GUARDED_BY(wake_mu_) = false;

  Mutex assign_mu_;
  std::condition_variable assign_cv_;
  std::uint64_t assign_generation_ GUARDED_BY(assign_mu_) = 0;

  std::atomic<bool> stopping_{false};
  std::thread loop_thread_;
};

}  // namespace buildfarm::scheduler
