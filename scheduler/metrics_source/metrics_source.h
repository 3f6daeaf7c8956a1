// MetricsSource: where the scheduler gets each node's latest load, memory, disk, temperature and
// probe figures (normally Prometheus' HTTP API; fakes in tests).
//
// Latest() never blocks and never fails: it returns the last snapshot that was fetched, with the
// time of the fetch, whether the most recent query succeeded, and its error. When Prometheus is down,
// slow or answers garbage, the old snapshot stays and ages; the MetricsFresh filter judges it by the
// samples' own timestamps. Implementations are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "scheduler/framework/types.h"

namespace buildfarm::scheduler {

struct MetricsSnapshot {
  std::map<std::string, NodeMetrics> nodes;  // keyed by the `node` label
  Time fetched_at{};                         // when `nodes` was fetched (epoch when never)
  Time last_attempt_at{};                    // when the most recent query ran
  bool last_attempt_ok = false;
  std::string last_error;                    // empty when the last attempt succeeded
};

class MetricsSource {
 public:
  virtual ~MetricsSource() = default;
  virtual std::shared_ptr<const MetricsSnapshot> Latest() const = 0;
};

}  // namespace buildfarm::scheduler
