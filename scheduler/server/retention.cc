#include "scheduler/server/retention.h"

#include <chrono>

#include "common/prometheus_text.h"
#include "scheduler/server/service.h"

namespace buildfarm::scheduler {

void RetentionMetrics::CountDeleted(const SweepStep& step) {
  jobs_.fetch_add(step.jobs, std::memory_order_relaxed);
  log_chunks_.fetch_add(step.log_chunks, std::memory_order_relaxed);
}

std::string RetentionMetrics::Render() const {
  prometheus::MetricFamily truncations{"buildfarm_scheduler_log_truncations_total",
                                       "Attempt logs cut at logs.max_bytes_per_attempt.",
                                       prometheus::MetricType::Counter, {}};
  prometheus::ClientMetric truncated;
  truncated.counter.value = static_cast<double>(truncations_.load(std::memory_order_relaxed));
  truncations.metric.push_back(truncated);
  prometheus::MetricFamily deleted{"buildfarm_scheduler_retention_deleted_total",
                                   "Rows the retention sweep deleted, by kind.", prometheus::MetricType::Counter, {}};
  const std::pair<const char*, const std::atomic<std::int64_t>*> kinds[] = {
      {"archived_messages", &archived_messages_}, {"jobs", &jobs_}, {"log_chunks", &log_chunks_},
      {"node_state_changes", &state_changes_}};
  for (const auto& [kind, count] : kinds) {
    prometheus::ClientMetric metric;
    metric.label = {{"kind", kind}};
    metric.counter.value = static_cast<double>(count->load(std::memory_order_relaxed));
    deleted.metric.push_back(std::move(metric));
  }
  std::string out;
  AppendPrometheusText(out, {truncations, deleted});
  return out;
}

RetentionSweeper::RetentionSweeper(const RetentionConfig& config, JobStore& jobs, MessageStore* messages,
                                   NodeStore& nodes, RetentionMetrics& metrics, const Logger& log, int batch)
    : config_(config), jobs_(jobs), messages_(messages), nodes_(nodes), metrics_(metrics), log_(log), batch_(batch) {}

void RetentionSweeper::Start() {
  stopping_ = false;
  task_.Start(std::chrono::duration<double>(config_.interval_seconds), [this] {
    Status swept = SweepOnce(NowSeconds());
    if (!swept.ok()) log_.Warn("retention sweep failed; trying again next round", {{"err", swept.ToString()}});
  });
}

void RetentionSweeper::Stop() {
  stopping_ = true;
  task_.Stop();
}

Status RetentionSweeper::SweepOnce(double now) {
  SweepStep total;
  // Each step is its own transaction: requests get the database between them.
  auto run = [&](auto step_fn) -> Status {
    for (bool more = true; more && !stopping_;) {
      auto step = step_fn();
      if (!step.ok()) return step.status();
      metrics_.CountDeleted(*step);
      total.jobs += step->jobs;
      total.log_chunks += step->log_chunks;
      more = step->more;
    }
    return Status::Ok();
  };
  if (config_.logs_seconds > 0) {
    const double cutoff = now - config_.logs_seconds;
    BUILDFARM_RETURN_IF_ERROR(run([&]() -> Result<SweepStep> {
      auto step = jobs_.ExpireLogs(cutoff, now, batch_);
      if (!step.ok()) return step;
      SweepStep deleted = *step;
      deleted.jobs = 0;  // jobs it marked log-expired stay
      return deleted;
    }));
  }
  if (config_.jobs_seconds > 0) {
    const double cutoff = now - config_.jobs_seconds;
    BUILDFARM_RETURN_IF_ERROR(run([&] { return jobs_.DeleteFinishedJobs(cutoff, batch_); }));
  }
  // Steps that delete rows of one table and say how many.
  auto run_count = [&](auto step_fn, void (RetentionMetrics::*count)(std::int64_t), std::int64_t* sum) -> Status {
    for (bool more = true; more && !stopping_;) {
      Result<std::int64_t> deleted = step_fn();
      if (!deleted.ok()) return deleted.status();
      (metrics_.*count)(*deleted);
      *sum += *deleted;
      more = *deleted >= batch_;
    }
    return Status::Ok();
  };
  std::int64_t messages = 0, state_changes = 0;
  if (config_.archived_messages_seconds > 0 && messages_ != nullptr) {
    const double cutoff = now - config_.archived_messages_seconds;
    BUILDFARM_RETURN_IF_ERROR(run_count([&] { return messages_->DeleteArchivedBefore(cutoff, batch_); },
                                        &RetentionMetrics::CountDeletedArchivedMessages, &messages));
  }
  // NodeHistory reads 7 days of state changes; older ones are kept only as each node's starting state.
  BUILDFARM_RETURN_IF_ERROR(run_count([&] { return nodes_.PruneStateChanges(now - kHistoryWindowSeconds, batch_); },
                                      &RetentionMetrics::CountDeletedStateChanges, &state_changes));
  if (total.jobs + total.log_chunks + messages + state_changes > 0) {
    if (audit_ != nullptr) {
      const std::string detail = "jobs=" + std::to_string(total.jobs) + " log_chunks=" + std::to_string(total.log_chunks) +
                                 " archived_messages=" + std::to_string(messages) +
                                 " node_state_changes=" + std::to_string(state_changes);
      BUILDFARM_RETURN_IF_ERROR(audit_->AppendAutomatic("retention", "", detail, now).status());
    }
    log_.Info("retention sweep", {{"jobs", std::to_string(total.jobs)}, {"log_chunks", std::to_string(total.log_chunks)},
                                  {"archived_messages", std::to_string(messages)},
                                  {"node_state_changes", std::to_string(state_changes)}});
  }
  return Status::Ok();
}

}  // namespace buildfarm::scheduler
