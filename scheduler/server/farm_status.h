// FarmStatus: what the scheduler shows about the farm, read-only — node listings (state, reservations,
// running jobs, metrics, backup), readiness (/readyz) and the Prometheus text of /metrics.
//
// /readyz and /metrics need no token, so neither writes and both are bounded per interval, not per
// request: readiness is the store's last health error (Database::LastHealthError, cleared by the next
// committed write) plus a read-only probe run at most once per kStoreProbeSeconds; the job counts by
// state and the oldest queued job (scans of the jobs table) are recomputed at most once per
// metrics.store_refresh (config.metrics_refresh_seconds), while the per-node series (the in-memory node
// table and an indexed lookup of each node's active jobs) stay exact at every scrape.
//
// Thread-safe: it only reads the stores (which serialize themselves), the latest metrics snapshot and
// the thread-safe ServerMetrics; the caches are BoundedRefresh.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/framework/scheduler.h"
#include "scheduler/metrics_source/metrics_source.h"
#include "scheduler/server/bounded_refresh.h"
#include "scheduler/server/config.h"
#include "scheduler/server/server_metrics.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

double NowSeconds();  // service.h
const char* NodeStateOf(const NodeRecord& node);

// A node with what the API shows about it.
struct NodeStatus {
  NodeRecord record;
  std::string state;                 // ready, cordoned, draining, down
  Resources reservations;
  std::vector<std::string> running_jobs;
  std::optional<NodeMetrics> metrics;
  std::string backup;                // from the config, empty when none
};

class FarmStatus {
 public:
  static constexpr double kStoreProbeSeconds = 1;

  FarmStatus(const SchedulerConfig& config, Database& database, JobStore& jobs, NodeStore& nodes,
             std::shared_ptr<MetricsSource> metrics_source, ServerMetrics& metrics,
             RefreshClock clock = NowSeconds);

  std::vector<NodeStatus> ListNodes();
  Result<NodeStatus> GetNode(const std::string& name);
  // Store usable (no health error since its last committed write, and it answers a read) and (when
  // Prometheus is configured) its last query recent and successful. Writes nothing.
  bool Ready(std::string* why);
  std::string RenderMetrics();

 private:
  // What the jobs table's scans found, at `computed_at`.
  struct JobCounts {
    Result<std::map<JobState, std::int64_t>> by_state = std::map<JobState, std::int64_t>{};
    Result<std::optional<double>> oldest_queued_at = std::optional<double>{};
  };
  const SchedulerConfig& config_;
  Database& database_;
  JobStore& jobs_;
  NodeStore& nodes_;
  std::shared_ptr<MetricsSource> metrics_source_;
  ServerMetrics& metrics_;
  BoundedRefresh<Status> store_probe_;
  BoundedRefresh<JobCounts> job_counts_;
};

}  // namespace buildfarm::scheduler
