// PublishMetrics: the git publisher's Prometheus families, for the exporter's and the scheduler's
// /metrics.
//
//   buildfarm_publish_last_success_timestamp_seconds   gauge, unix time of the last successful push
//                                                      (or of a flush that found nothing changed)
//   buildfarm_publish_attempts_total{result}           counter; result = ok, unchanged, rejected,
//                                                      unavailable, auth_failed, error,
//                                                      invalid (a document failed its schema; not published)
//   buildfarm_publish_pending                          gauge, files staged but not yet pushed
//   buildfarm_publish_refused_total{reason}            counter; reason from SecretReasons()
//
// Every label value exists from the start (at 0) so that rate() and increase() work on the first
// failure. One PublishMetrics may be shared by several Publishers (the scheduler's jobs and messages);
// pending is then their sum. All methods are thread-safe (atomics and one mutex).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/mutex.h"

namespace buildfarm::git_publisher {

class PublishMetrics : public prometheus::Collectable {
 public:
  PublishMetrics();

  void RecordAttempt(const std::string& result);
  void RecordSuccess(double unix_seconds);
  void RecordRefusal(const std::string& reason);
  void AddPending(std::int64_t delta) { pending_.fetch_add(delta); }

  std::vector<prometheus::MetricFamily> Collect() const override;

  // For tests and logs.
  std::uint64_t attempts(const std::string& result) const;
  std::uint64_t refusals(const std::string& reason) const;
  std::int64_t pending() const { return pending_.load(); }

 private:
  mutable Mutex mutex_;
  std::map<std::string, std::uint64_t> attempts_ GUARDED_BY(mutex_);
  std::map<std::string, std::uint64_t> refusals_ GUARDED_BY(mutex_);
  double last_success_ GUARDED_BY(mutex_) = 0;
  std::atomic<std::int64_t> pending_{0};
};

}  // namespace buildfarm::git_publisher
