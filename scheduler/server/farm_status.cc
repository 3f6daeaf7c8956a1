#include "scheduler/server/farm_status.h"

#include <algorithm>
#include <limits>
#include <map>

#include "scheduler/server/service.h"

namespace buildfarm::scheduler {

FarmStatus::FarmStatus(const SchedulerConfig& config, Database& database, JobStore& jobs, NodeStore& nodes,
                       std::shared_ptr<MetricsSource> metrics_source, ServerMetrics& metrics,
                       RefreshClock clock)
    : config_(config),
      database_(database),
      jobs_(jobs),
      nodes_(nodes),
      metrics_source_(std::move(metrics_source)),
      metrics_(metrics),
      store_probe_(kStoreProbeSeconds, clock),
      job_counts_(config.metrics_refresh_seconds, clock) {}

const char* NodeStateOf(const NodeRecord& node) {
  if (node.down) return "down";
  if (node.cordoned) return "cordoned";
  if (node.draining) return "draining";
  return "ready";
}

std::vector<NodeStatus> FarmStatus::ListNodes() {
  std::shared_ptr<const MetricsSnapshot> snapshot = metrics_source_->Latest();
  std::vector<NodeStatus> out;
  for (NodeRecord& record : nodes_.List()) {
    NodeStatus status;
    status.state = NodeStateOf(record);
    if (auto b = config_.backups.find(record.name); b != config_.backups.end()) status.backup = b->second;
    auto active = jobs_.ActiveOnNode(record.name);
    if (active.ok()) {
      for (const Job& job : *active) {
        status.reservations += Resources{job.spec.requirements.cores, job.spec.requirements.memory_bytes,
                                         job.spec.requirements.disk_bytes};
        status.running_jobs.push_back(job.spec.id);
      }
    }
    if (snapshot) {
      auto it = snapshot->nodes.find(record.name);
      if (it != snapshot->nodes.end()) status.metrics = it->second;
    }
    status.record = std::move(record);
    out.push_back(std::move(status));
  }
  return out;
}

Result<NodeStatus> FarmStatus::GetNode(const std::string& name) {
  for (NodeStatus& status : ListNodes()) {
    if (status.record.name == name) return std::move(status);
  }
  return NotFound("node " + name + " not found");
}

bool FarmStatus::Ready(std::string* why) {
  Status health = database_.LastHealthError();
  if (!health.ok()) {
    *why = "store: a write failed and none has committed since: " + health.ToString();
    return false;
  }
  Status readable = store_probe_.Get([this] { return database_.ProbeRead(); });
  if (!readable.ok()) {
    *why = "store not readable: " + readable.ToString();
    return false;
  }
  if (config_.prometheus.url.empty()) return true;
  std::shared_ptr<const MetricsSnapshot> snapshot = metrics_source_->Latest();
  const double recent = config_.prometheus.ready_window_seconds > 0
                            ? config_.prometheus.ready_window_seconds
                            : 3 * config_.prometheus.refresh_interval_seconds + config_.prometheus.timeout_seconds;
  if (!snapshot || snapshot->last_attempt_at == Time{}) {
    *why = "no Prometheus query has run yet";
    return false;
  }
  if (!snapshot->last_attempt_ok) {
    *why = "last Prometheus query failed: " + snapshot->last_error;
    return false;
  }
  if (NowSeconds() - ToUnix(snapshot->last_attempt_at) > recent) {
    *why = "last Prometheus query is too old";
    return false;
  }
  return true;
}

std::string FarmStatus::RenderMetrics() {
  const JobCounts counts = job_counts_.Get([this] { return JobCounts{jobs_.CountByState(), jobs_.OldestQueuedAt()}; });
  if (counts.by_state.ok()) {
    for (const auto& [state, count] : *counts.by_state) {
      metrics_.SetJobs(std::string(JobStateName(state)), static_cast<double>(count));
    }
  }
  std::map<std::string, int> by_state{{"ready", 0}, {"cordoned", 0}, {"draining", 0}, {"down", 0}};
  for (const NodeRecord& node : nodes_.List()) {
    ++by_state[NodeStateOf(node)];
    auto active = jobs_.ActiveOnNode(node.name);
    metrics_.SetNode(node.name, node.last_heartbeat, NodeStateOf(node), active.ok() ? static_cast<int>(active->size()) : 0);
  }
  const double now = NowSeconds();
  // The age keeps growing between refreshes; only a job leaving the queue shows late.
  const auto& oldest = counts.oldest_queued_at;
  metrics_.SetOldestQueuedAge(oldest.ok() && oldest->has_value() ? std::max(0.0, now - **oldest) : 0.0);
  for (const auto& [state, count] : by_state) metrics_.SetNodes(state, count);
  auto snapshot = metrics_source_->Latest();
  bool fetched = snapshot && snapshot->fetched_at != Time{};
  metrics_.SetMetricsSource(snapshot && snapshot->last_attempt_ok,
                            fetched ? now - ToUnix(snapshot->fetched_at)
                                    : std::numeric_limits<double>::quiet_NaN());
  return metrics_.Render();
}

}  // namespace buildfarm::scheduler
