// Failover: moves a node's work away, for a lease expiry (LeaseMonitor), an alert (AlertReceiver) or
// an operator (the failover route). Its assigned and running jobs are requeued with new attempts (the
// old ones fenced) and the queued jobs that preferred it are redirected, towards a target: the one
// asked for, else the node's healthy backup (a node, or the healthiest ready node of a pool label),
// else the pool. The cordon, requeue, redirect and record are one transaction on the shared Database
// (joining the caller's, if open), so after a crash a node is either fully failed over or untouched.
//
// Thread-safe: the stores serialize on the Database; the metrics, in-flight tracker and wake callback
// are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/log.h"
#include "scheduler/framework/in_flight.h"
#include "scheduler/metrics_source/metrics_source.h"
#include "scheduler/server/config.h"
#include "scheduler/server/server_metrics.h"
#include "scheduler/store/audit_store.h"
#include "scheduler/store/failover_store.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

// What Failover and LeaseMonitor share with the rest of the service.
struct FailoverDeps {
  const SchedulerConfig& config;
  Database& database;
  JobStore& jobs;
  NodeStore& nodes;
  FailoverStore& failovers;
  std::shared_ptr<MetricsSource> metrics_source;
  ServerMetrics& metrics;
  InFlightTracker& in_flight;
  const Logger& log;
  std::function<void()> wake;  // asks the scheduling loop for a cycle
  AuditStore* audit = nullptr;  // each failover (and cordon) is a row, in its transaction; null: none
};

class Failover {
 public:
  explicit Failover(FailoverDeps deps) : deps_(std::move(deps)) {}
  // Before Start(): where failovers are audited (null: nowhere).
  void SetAudit(AuditStore* audit) { deps_.audit = audit; }

  // Moves `node`'s work towards `to` when given, else towards ResolveBackup. `cordon` also cordons the
  // node and makes this failover the node's open one (FailoverStore::OpenFailover), which later alerts
  // merge into while it stays cordoned. Records the failover under `reason` and counts it.
  Result<FailoverRecord> FailOver(const std::string& node, const std::string& reason, const std::string& to,
                                  bool cordon, double now);
  // The node's configured backup if one is healthy at `now` (for a pool label, the healthiest ready
  // node carrying it); "" for the pool.
  std::string ResolveBackup(const std::string& node, double now);
  // Known, not down, and its last heartbeat within the lease.
  bool HeartbeatsHealthy(const std::string& node, double now);

 private:
  FailoverDeps deps_;
};

}  // namespace buildfarm::scheduler
