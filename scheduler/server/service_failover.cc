// SchedulerService: failover (lease expiry, alerts, operators) and backup resolution.
#include <algorithm>

#include "scheduler/alerts/backup_choice.h"
#include "scheduler/server/service.h"

namespace buildfarm::scheduler {

bool SchedulerService::HeartbeatsHealthy(const std::string& node, double now) {
  auto record = nodes_.Get(node);
  return record.ok() && !record->down && now - record->last_heartbeat <= config_.lease_seconds;
}

std::string SchedulerService::ResolveBackup(const std::string& node, double now) {
  auto configured = config_.backups.find(node);
  if (configured == config_.backups.end()) return "";
  std::shared_ptr<const MetricsSnapshot> snapshot = metrics_source_->Latest();
  std::vector<BackupCandidate> candidates;
  for (const NodeRecord& record : nodes_.List()) {
    BackupCandidate candidate;
    candidate.name = record.name;
    candidate.labels = record.labels;
    candidate.healthy = !record.down && !record.cordoned && !record.draining &&
                        now - record.last_heartbeat <= config_.lease_seconds;
    if (candidate.healthy) {
      auto active = jobs_.ActiveOnNode(record.name);
      candidate.active_jobs = active.ok() ? static_cast<int>(active->size()) : 0;
    }
    if (snapshot) {
      auto it = snapshot->nodes.find(record.name);
      if (it != snapshot->nodes.end()) candidate.cpu_utilisation = it->second.cpu_utilisation;
    }
    candidates.push_back(std::move(candidate));
  }
  return ChooseBackup(node, configured->second, candidates);
}

Result<FailoverRecord> SchedulerService::FailOver(const std::string& node, const std::string& reason,
                                                  const std::string& to, bool cordon, double now) {
  int failed = 0;
  auto stored = database_.RunInTransaction([&]() -> Result<FailoverRecord> {
    auto source = nodes_.Get(node);
    if (!source.ok()) return source.status();
    if (cordon && !source->cordoned) BUILDFARM_RETURN_IF_ERROR(nodes_.SetCordoned(node, true));
    const std::string target = to.empty() ? ResolveBackup(node, now) : to;
    const std::string why = reason == "lease" ? "node down (lease expired)" : "failover (" + reason + ")";
    auto moved = jobs_.RequeueNode(node, why, target, now);
    if (!moved.ok()) return moved.status();
    auto redirected = jobs_.RedirectQueued(node, target);
    if (!redirected.ok()) return redirected.status();

    FailoverRecord record;
    record.at = now;
    record.reason = reason;
    record.source = node;
    record.target = target.empty() ? "pool" : target;
    for (const Job& job : *moved) {
      if (job.state == JobState::kQueued) {
        record.jobs.push_back(job.spec.id);
      } else {
        ++failed;  // past max_retries: failed, not moved
      }
    }
    record.jobs.insert(record.jobs.end(), redirected->begin(), redirected->end());
    return failovers_.Record(record);
  });
  if (!stored.ok()) return stored.status();
  in_flight_.ForgetNode(node);
  metrics_.CountFailover(reason);
  const FailoverRecord& record = *stored;
  log_.Warn("failover", {{"node", node}, {"reason", reason}, {"target", record.target},
                         {"jobs_moved", std::to_string(record.jobs.size())},
                         {"jobs_failed", std::to_string(failed)}, {"cordoned", cordon ? "true" : "false"}});
  Wake();
  return stored;
}

}  // namespace buildfarm::scheduler
