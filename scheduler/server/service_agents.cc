// SchedulerService: the agent protocol (register, heartbeat, long-poll for assignments).
#include <algorithm>
#include <chrono>

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
      MutexLock lock(assign_mu_);
      generation = assign_generation_;
    }
    auto active = jobs_.ActiveOnNode(node);
    if (!active.ok()) return active.status();
    std::vector<Job> pending;
    for (Job& job : *active) {
      if (job.state == JobState::kAssigned) pending.push_back(std::move(job));
    }
    if (!pending.empty() || stopping_.load()) return pending;
    MutexLock lock(assign_mu_);
    bool changed = lock.WaitUntil(assign_cv_, deadline, [&]() REQUIRES(assign_mu_) {
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

}  // namespace buildfarm::scheduler
