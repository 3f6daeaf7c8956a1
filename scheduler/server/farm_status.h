// FarmStatus: what the scheduler shows about the farm, read-only — node listings (state, reservations,
// running jobs, metrics, backup), readiness (/readyz) and the Prometheus text of /metrics.
//
// Thread-safe: it only reads the stores (which serialize themselves), the latest metrics snapshot and
// the thread-safe ServerMetrics.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/framework/scheduler.h"
#include "scheduler/metrics_source/metrics_source.h"
#include "scheduler/server/config.h"
#include "scheduler/server/server_metrics.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

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
  FarmStatus(const SchedulerConfig& config, JobStore& jobs, NodeStore& nodes,
             std::shared_ptr<MetricsSource> metrics_source, ServerMetrics& metrics)
      : config_(config), jobs_(jobs), nodes_(nodes), metrics_source_(std::move(metrics_source)), metrics_(metrics) {}

  std::vector<NodeStatus> ListNodes();
  Result<NodeStatus> GetNode(const std::string& name);
  // Store writable and (when Prometheus is configured) its last query recent and successful.
  bool Ready(std::string* why);
  std::string RenderMetrics();

 private:
  const SchedulerConfig& config_;
  JobStore& jobs_;
  NodeStore& nodes_;
  std::shared_ptr<MetricsSource> metrics_source_;
  ServerMetrics& metrics_;
};

}  // namespace buildfarm::scheduler
