// LeaseMonitor: its own thread checks, several times per lease, for nodes whose last heartbeat is older
// than the lease; each such node is marked down and failed over in one transaction (on failure it
// stays up and is tried again on the next check).
//
// Thread-safe: CheckLeases may run on any thread alongside the monitor's (PeriodicTask); Start/Stop from
// one thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/periodic_task.h"
#include "scheduler/server/config.h"
#include "scheduler/server/failover.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

class LeaseMonitor {
 public:
  LeaseMonitor(const SchedulerConfig& config, Database& database, NodeStore& nodes, Failover& failover,
               const Logger& log, std::function<void()> wake);
  ~LeaseMonitor() { Stop(); }
  LeaseMonitor(const LeaseMonitor&) = delete;
  LeaseMonitor& operator=(const LeaseMonitor&) = delete;

  void Start();
  void Stop();
  // Marks nodes whose lease expired at `now` down and fails their work over; returns their names.
  std::vector<std::string> CheckLeases(double now);
  // Before Start(): where lease expiries are audited (null: nowhere).
  void SetAudit(AuditStore* audit) { audit_ = audit; }

 private:
  const SchedulerConfig& config_;
  Database& database_;
  NodeStore& nodes_;
  Failover& failover_;
  const Logger& log_;
  std::function<void()> wake_;
  AuditStore* audit_ = nullptr;

  PeriodicTask task_;
};

}  // namespace buildfarm::scheduler
