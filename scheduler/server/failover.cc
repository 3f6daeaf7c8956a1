#include "scheduler/server/failover.h"

#include <algorithm>

#include "scheduler/alerts/backup_choice.h"

namespace buildfarm::scheduler {

bool Failover::HeartbeatsHealthy(const std::string& node, double now) {
  auto record = deps_.nodes.Get(node);
  return record.ok() && !record->down && now - record->last_heartbeat <= deps_.config.lease_seconds;
}

std::string Failover::ResolveBackup(const std::string& node, double now) {
  auto configured = deps_.config.backups.find(node);
  if (configured == deps_.config.backups.end()) return "";
  std::shared_ptr<const MetricsSnapshot> snapshot = deps_.metrics_source->Latest();
  std::vector<BackupCandidate> candidates;
  for (const NodeRecord& record : deps_.nodes.List()) {
    BackupCandidate candidate;
    candidate.name = record.name;
    candidate.labels = record.labels;
    candidate.healthy = !record.down && !record.cordoned && !record.draining &&
                        now - record.last_heartbeat <= deps_.config.lease_seconds;
    if (candidate.healthy) {
      auto active = deps_.jobs.ActiveOnNode(record.name);
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

Result<FailoverRecord> Failover::FailOver(const std::string& node, const std::string& reason,
                                                  const std::string& to, bool cordon, double now) {
  int failed = 0;
  auto stored = deps_.database.RunInTransaction([&]() -> Result<FailoverRecord> {
    auto source = deps_.nodes.Get(node);
    if (!source.ok()) return source.status();
    if (cordon && !source->cordoned) {
      BUILDFARM_RETURN_IF_ERROR(deps_.nodes.SetCordoned(node, true));
      if (deps_.audit != nullptr) {
        BUILDFARM_RETURN_IF_ERROR(deps_.audit->AppendAutomatic("cordon", node, "reason=" + reason, now).status());
      }
    }
    const std::string target = to.empty() ? ResolveBackup(node, now) : to;
    const std::string why = reason == "lease" ? "node down (lease expired)" : "failover (" + reason + ")";
    auto moved = deps_.jobs.RequeueNode(node, why, target, now);
    if (!moved.ok()) return moved.status();
    auto redirected = deps_.jobs.RedirectQueued(node, target);
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
    auto stored_record = deps_.failovers.Record(record);
    if (!stored_record.ok()) return stored_record;
    if (deps_.audit != nullptr) {
      const std::string detail = "reason=" + reason + " target=" + record.target + " jobs_moved=" +
                                 std::to_string(record.jobs.size()) + " jobs_failed=" + std::to_string(failed);
      BUILDFARM_RETURN_IF_ERROR(deps_.audit->AppendAutomatic("failover", node, detail, now).status());
    }
    if (!cordon) return stored_record;
    // The node stays cordoned: later alerts for it merge into this record (AlertReceiver).
    BUILDFARM_RETURN_IF_ERROR(deps_.failovers.OpenFailover(node, stored_record->id));
    return stored_record;
  });
  if (!stored.ok()) return stored.status();
  deps_.in_flight.ForgetNode(node);
  deps_.metrics.CountFailover(reason);
  const FailoverRecord& record = *stored;
  deps_.log.Warn("failover", {{"node", node}, {"reason", reason}, {"target", record.target},
                         {"jobs_moved", std::to_string(record.jobs.size())},
                         {"jobs_failed", std::to_string(failed)}, {"cordoned", cordon ? "true" : "false"}});
  deps_.wake();
  return stored;
}

}  // namespace buildfarm::scheduler
