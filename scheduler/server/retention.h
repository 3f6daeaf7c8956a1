// Retention: a periodic sweep that deletes what the farm no longer needs (retention.* in the config):
// finished jobs, the logs of finished jobs (the job stays, marked log-expired) and archived messages,
// each older than its configured age, and node state changes older than NodeHistory's 7-day window
// (but each node's last one before it, which gives its state at the window's start). Every step is one transaction of at most `batch` rows, so a
// sweep never holds the shared database for long. A job that an unfinished job depends on is kept.
//
// RetentionMetrics also counts log truncations (logs.max_bytes_per_attempt), as
// buildfarm_scheduler_log_truncations_total, and deletions by kind as
// buildfarm_scheduler_retention_deleted_total{kind="jobs|log_chunks|archived_messages|node_state_changes"}.
//
// Thread safety: RetentionMetrics is thread-safe (atomics). RetentionSweeper's SweepOnce may run on
// any thread; Start/Stop from one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/log.h"
#include "common/periodic_task.h"
#include "scheduler/server/config.h"
#include "scheduler/store/audit_store.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/message_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

class RetentionMetrics {
 public:
  void CountTruncation() { truncations_.fetch_add(1, std::memory_order_relaxed); }
  void CountDeleted(const SweepStep& step);
  void CountDeletedArchivedMessages(std::int64_t n) { archived_messages_.fetch_add(n, std::memory_order_relaxed); }
  void CountDeletedStateChanges(std::int64_t n) { state_changes_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t truncations() const { return truncations_.load(std::memory_order_relaxed); }
  // The two families in the Prometheus text format.
  std::string Render() const;

 private:
  std::atomic<std::int64_t> truncations_{0};
  std::atomic<std::int64_t> jobs_{0};
  std::atomic<std::int64_t> log_chunks_{0};
  std::atomic<std::int64_t> archived_messages_{0};
  std::atomic<std::int64_t> state_changes_{0};
};

inline constexpr int kRetentionBatchRows = 1000;

class RetentionSweeper {
 public:
  // `messages` may be null (no message store).
  RetentionSweeper(const RetentionConfig& config, JobStore& jobs, MessageStore* messages, NodeStore& nodes,
                   RetentionMetrics& metrics, const Logger& log, int batch = kRetentionBatchRows);
  ~RetentionSweeper() { Stop(); }
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  // Sweeps every retention.interval, the first at once.
  void Start();
  void Stop();
  // One whole sweep at `now`, step by step; stops at the first store error and returns it.
  Status SweepOnce(double now);
  // Before Start(): where each sweep that deleted anything is summarised, one row (null: nowhere).
  void SetAudit(AuditStore* audit) { audit_ = audit; }

 private:
  const RetentionConfig config_;
  JobStore& jobs_;
  MessageStore* messages_;
  NodeStore& nodes_;
  RetentionMetrics& metrics_;
  const Logger& log_;
  const int batch_;
  AuditStore* audit_ = nullptr;
  std::atomic<bool> stopping_{false};
  PeriodicTask task_;
};

}  // namespace buildfarm::scheduler
