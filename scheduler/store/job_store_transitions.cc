// JobStore's state transitions: assignment, attempts, cancellation, retries and requeues (logs and
// retention are in job_store_logs.cc).
#include <deque>

#include "scheduler/store/job_store.h"

namespace buildfarm::scheduler {
namespace {

Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }

}  // namespace

Status JobStore::SetTerminal(const std::string& id, JobState state, const std::string& error, double now) {
  auto stmt = db_->Prepare("UPDATE jobs SET state = ?2, error_message = ?3, completed_at = ?4 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, id).Bind(2, JobStateName(state)).Bind(3, error).Bind(4, now).Run();
}

Status JobStore::CancelDependents(const std::string& id, const std::string& reason, double now) {
  std::deque<std::pair<std::string, std::string>> pending{{id, reason}};
  while (!pending.empty()) {
    auto [current, why] = pending.front();
    pending.pop_front();
    auto dependents = Query(
        "WHERE id IN (SELECT job_id FROM job_deps WHERE depends_on = ?1) "
        "AND state NOT IN ('completed', 'failed', 'cancelled') ORDER BY seq",
        {current});
    if (!dependents.ok()) return dependents.status();
    for (const Job& dependent : *dependents) {
      BUILDFARM_RETURN_IF_ERROR(SetTerminal(dependent.spec.id, JobState::kCancelled, why, now));
      pending.emplace_back(dependent.spec.id, "dependency " + dependent.spec.id + " was cancelled");
    }
  }
  return Status::Ok();
}

Status JobStore::UnblockDependents(const std::string& id) {
  auto stmt = db_->Prepare(
      "UPDATE jobs SET state = 'queued' WHERE state = 'blocked' "
      "AND id IN (SELECT job_id FROM job_deps WHERE depends_on = ?1) "
      "AND NOT EXISTS (SELECT 1 FROM job_deps d JOIN jobs j ON j.id = d.depends_on "
      "                WHERE d.job_id = jobs.id AND j.state != 'completed')");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, id).Run();
}

Result<Job> JobStore::Cancel(const std::string& id, double now, const std::string& reason) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto job = GetLocked(id);
  if (!job.ok()) return job.status();
  if (IsTerminal(job->state)) return Conflict("job " + id + " is already " + std::string(JobStateName(job->state)));
  BUILDFARM_RETURN_IF_ERROR(SetTerminal(id, JobState::kCancelled, reason, now));
  BUILDFARM_RETURN_IF_ERROR(CancelDependents(id, "dependency " + id + " was cancelled", now));
  auto updated = GetLocked(id);
  if (!updated.ok()) return updated.status();
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return updated;
}

Result<Job> JobStore::Retry(const std::string& id, double now) {
  (void)now;
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto job = GetLocked(id);
  if (!job.ok()) return job.status();
  if (job->state != JobState::kFailed && job->state != JobState::kCancelled) {
    return Conflict("job " + id + " is " + std::string(JobStateName(job->state)) + "; only failed or cancelled jobs can be retried");
  }
  auto stmt = db_->Prepare(
      "UPDATE jobs SET state = CASE WHEN EXISTS (SELECT 1 FROM job_deps d JOIN jobs j ON j.id = d.depends_on "
      "  WHERE d.job_id = ?1 AND j.state != 'completed') THEN 'blocked' ELSE 'queued' END, "
      "node = '', error_message = '', exit_code = NULL, duration_seconds = NULL, assigned_at = NULL, "
      "started_at = NULL, completed_at = NULL, log_expired_at = NULL WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, id).Run());
  auto updated = GetLocked(id);
  if (!updated.ok()) return updated.status();
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return updated;
}

Result<Job> JobStore::Pin(const std::string& id, const std::string& node) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("UPDATE jobs SET pinned_node = ?2 WHERE id = ?1 AND state IN ('queued', 'blocked')");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, id).Bind(2, node).Run());
  if (db_->Changes() == 0) {
    auto job = GetLocked(id);
    if (!job.ok()) return job.status();
    return Conflict("job " + id + " is " + std::string(JobStateName(job->state)) + "; only queued or blocked jobs can be assigned");
  }
  return GetLocked(id);
}

Result<Job> JobStore::Assign(const std::string& id, const std::string& node, double now) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "UPDATE jobs SET state = 'assigned', node = ?2, attempt = attempt + 1, assigned_at = ?3, started_at = NULL "
      "WHERE id = ?1 AND state = 'queued'");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, id).Bind(2, node).Bind(3, now).Run());
  if (db_->Changes() == 0) return Conflict("job " + id + " is not queued");
  return GetLocked(id);
}

Result<Job> JobStore::StartAttempt(const std::string& id, int attempt, const std::string& node, double now) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "UPDATE jobs SET state = 'running', started_at = ?4 "
      "WHERE id = ?1 AND attempt = ?2 AND node = ?3 AND state = 'assigned'");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, id).Bind(2, attempt).Bind(3, node).Bind(4, now).Run());
  if (db_->Changes() == 0) {
    auto job = GetLocked(id);
    if (!job.ok()) return job.status();
    if (job->attempt == attempt && job->node == node && job->state == JobState::kRunning) return job;  // repeated report
    return Conflict("attempt " + std::to_string(attempt) + " of job " + id + " is superseded");
  }
  return GetLocked(id);
}

Result<Job> JobStore::FinishAttempt(const std::string& id, int attempt, const std::string& node,
                                    const AttemptResult& result, double now) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  JobState outcome = result.exit_code == 0 && result.error_message.empty() ? JobState::kCompleted : JobState::kFailed;
  std::string error = result.error_message;
  if (outcome == JobState::kFailed && error.empty()) error = "exit code " + std::to_string(result.exit_code);
  auto stmt = db_->Prepare(
      "UPDATE jobs SET state = ?4, exit_code = ?5, duration_seconds = ?6, error_message = ?7, completed_at = ?8, "
      "started_at = COALESCE(started_at, assigned_at) "
      "WHERE id = ?1 AND attempt = ?2 AND node = ?3 AND state IN ('assigned', 'running')");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id).Bind(2, attempt).Bind(3, node).Bind(4, JobStateName(outcome)).Bind(5, result.exit_code);
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(6, result.duration_seconds).Bind(7, error).Bind(8, now).Run());
  if (db_->Changes() == 0) {
    auto job = GetLocked(id);
    if (!job.ok()) return job.status();
    return Conflict("attempt " + std::to_string(attempt) + " of job " + id + " is superseded");
  }
  if (outcome == JobState::kCompleted) {
    BUILDFARM_RETURN_IF_ERROR(UnblockDependents(id));
  } else {
    BUILDFARM_RETURN_IF_ERROR(CancelDependents(id, "dependency " + id + " failed", now));
  }
  auto updated = GetLocked(id);
  if (!updated.ok()) return updated.status();
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return updated;
}

Result<std::vector<Job>> JobStore::RequeueNode(const std::string& node, const std::string& reason,
                                               const std::string& backup, double now, bool running_only) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto active = Query(running_only ? "WHERE node = ?1 AND state = 'running' ORDER BY seq"
                                   : "WHERE node = ?1 AND state IN ('assigned', 'running') ORDER BY seq",
                      {node});
  if (!active.ok()) return active.status();
  std::vector<Job> moved;
  for (const Job& job : *active) {
    if (job.retry_count + 1 > job.spec.max_retries) {
      std::string error = reason + " on node " + node + "; retries exhausted (" +
                          std::to_string(job.spec.max_retries) + ")";
      BUILDFARM_RETURN_IF_ERROR(SetTerminal(job.spec.id, JobState::kFailed, error, now));
      BUILDFARM_RETURN_IF_ERROR(CancelDependents(job.spec.id, "dependency " + job.spec.id + " failed", now));
    } else {
      auto stmt = db_->Prepare(
          "UPDATE jobs SET state = 'queued', node = '', retry_count = retry_count + 1, preferred_node = ?2, "
          "assigned_at = NULL, started_at = NULL WHERE id = ?1");
      if (!stmt.ok()) return stmt.status();
      BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, job.spec.id).Bind(2, backup).Run());
    }
    auto updated = GetLocked(job.spec.id);
    if (!updated.ok()) return updated.status();
    moved.push_back(std::move(updated).value());
  }
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return moved;
}

Result<std::vector<std::string>> JobStore::RedirectQueued(const std::string& node, const std::string& target) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("UPDATE jobs SET preferred_node = ?2 WHERE state = 'queued' AND preferred_node = ?1 "
                          "RETURNING id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, node).Bind(2, target);
  std::vector<std::string> ids;
  while (stmt->Step()) ids.push_back(stmt->ColumnText(0));
  if (!stmt->status().ok()) return stmt->status();
  return ids;
}

}  // namespace buildfarm::scheduler
