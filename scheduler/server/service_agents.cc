// SchedulerService: the agent protocol, node listings, readiness and metrics.
#include <algorithm>
#include <chrono>
#include <limits>

#include "scheduler/server/service.h"

namespace buildfarm::scheduler {

Result<NodeRecord> SchedulerService::RegisterNode(NodeRecord node) {
  auto before = nodes_.Get(node.name);
  const double now = NowSeconds();
  // An agent registers when it starts (or when the scheduler forgot it), so the attempts it was
  // running are gone with its old process: requeue them with new attempts rather than leave them
  // `running` with no owner. Its late reports for them get 409. Registration and requeue are one
  // transaction.
  std::vector<Job> requeued;
  auto stored = database_.RunInTransaction([&]() -> Result<NodeRecord> {
    auto registered = nodes_.Register(node, now);
    if (!registered.ok()) return registered;
    auto active = jobs_.ActiveOnNode(node.name);
    if (!active.ok()) return active.status();
    if (std::any_of(active->begin(), active->end(), [](const Job& job) { return job.state == JobState::kRunning; })) {
      auto moved = jobs_.RequeueNode(node.name, "agent re-registered", "", now, /*running_only=*/true);
      if (!moved.ok()) return moved.status();
      requeued = std::move(moved).value();
    }
    return registered;
  });
  if (!stored.ok()) return stored.status();
  metrics_.TrackNode(node.name);
  for (const Job& job : requeued) in_flight_.Forget(node.name, job.spec.id);
  if (!requeued.empty()) {
    log_.Warn("requeued the attempts of a re-registered agent", {{"node", node.name},
                                                                 {"jobs_requeued", std::to_string(requeued.size())}});
  }
  log_.Info("node registered", {{"node", node.name}, {"state", NodeStateOf(*stored)},
                                {"returning", before.ok() ? "true" : "false"}});
  Wake();
  return stored;
}

Result<std::vector<AttemptRef>> SchedulerService::Heartbeat(const std::string& node,
                                                             const std::vector<AttemptRef>& running) {
  auto came_back = nodes_.Heartbeat(node, NowSeconds());
  if (!came_back.ok()) return came_back.status();
  if (*came_back) {
    log_.Info("node back", {{"node", node}});
    Wake();
  }
  std::vector<AttemptRef> superseded;
  for (const AttemptRef& attempt : running) {
    auto job = jobs_.Get(attempt.job_id);
    bool current = job.ok() && job->attempt == attempt.attempt && job->node == node &&
                   (job->state == JobState::kAssigned || job->state == JobState::kRunning);
    if (!current) superseded.push_back(attempt);
  }
  return superseded;
}

Result<std::vector<Job>> SchedulerService::WaitForAssignments(const std::string& node, double wait_seconds) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(Seconds(wait_seconds));
  while (true) {
    std::uint64_t generation;
    {
      std::lock_guard lock(assign_mu_);
      generation = assign_generation_;
    }
    auto active = jobs_.ActiveOnNode(node);
    if (!active.ok()) return active.status();
    std::vector<Job> pending;
    for (Job& job : *active) {
      if (job.state == JobState::kAssigned) pending.push_back(std::move(job));
    }
    if (!pending.empty() || stopping_.load()) return pending;
    std::unique_lock lock(assign_mu_);
    bool changed = assign_cv_.wait_until(lock, deadline, [&] {
      return assign_generation_ != generation || stopping_.load();
    });
    if (!changed) return pending;
  }
}

void SchedulerService::OnAttemptFinished(const Job& job, bool reported) {
  if (!job.node.empty()) in_flight_.Forget(job.node, job.spec.id);
  if (reported && !job.node.empty()) {
    metrics_.CountCompletion(job.node, job.spec.branch, job.state == JobState::kCompleted ? "completed" : "failed",
                             job.duration_seconds.value_or(0));
  }
  Wake();
}

std::vector<NodeStatus> SchedulerService::ListNodes() {
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

Result<NodeStatus> SchedulerService::GetNode(const std::string& name) {
  for (NodeStatus& status : ListNodes()) {
    if (status.record.name == name) return std::move(status);
  }
  return NotFound("node " + name + " not found");
}

bool SchedulerService::Ready(std::string* why) {
  Status store = nodes_.Ping();
  if (!store.ok()) {
    *why = "store not writable: " + store.ToString();
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

std::string SchedulerService::RenderMetrics() {
  auto counts = jobs_.CountByState();
  if (counts.ok()) {
    for (const auto& [state, count] : *counts) metrics_.SetJobs(std::string(JobStateName(state)), static_cast<double>(count));
  }
  std::map<std::string, int> by_state{{"ready", 0}, {"cordoned", 0}, {"draining", 0}, {"down", 0}};
  for (const NodeRecord& node : nodes_.List()) {
    ++by_state[NodeStateOf(node)];
    auto active = jobs_.ActiveOnNode(node.name);
    metrics_.SetNode(node.name, node.last_heartbeat, NodeStateOf(node), active.ok() ? static_cast<int>(active->size()) : 0);
  }
  const double now = NowSeconds();
  auto oldest = jobs_.OldestQueuedAt();
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
