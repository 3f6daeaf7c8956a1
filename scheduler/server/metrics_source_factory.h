// MakeMetricsSource: builds the MetricsSource that buildfarm-scheduler reads node load from.
//
// With prometheus.url empty this is a source that never has metrics and reports "no Prometheus
// configured". The Prometheus-backed source (scheduler/metrics_source/prometheus_source.h) is wired in
// here, so the rest of the daemon only sees the MetricsSource interface. Called once at startup, from
// main's thread; the source it returns is thread-safe like every MetricsSource.
#pragma once

#include <memory>

#include "common/mutex.h"
#include "common/log.h"
#include "scheduler/metrics_source/metrics_source.h"
#include "scheduler/server/config.h"

namespace buildfarm::scheduler {

// A source whose snapshot never changes (tests set it; without Prometheus it stays empty).
class StaticMetricsSource final : public MetricsSource {
 public:
  explicit StaticMetricsSource(std::string error = "") : error_(std::move(error)) { Set({}, Time{}, error_.empty()); }
  void Set(std::map<std::string, NodeMetrics> nodes, Time fetched_at, bool ok);
  std::shared_ptr<const MetricsSnapshot> Latest() const override;

 private:
  std::string error_;
  mutable Mutex mu_;
  std::shared_ptr<const MetricsSnapshot> snapshot_ GUARDED_BY(mu_);
};

// Not null. Fails when the Prometheus settings cannot be used.
Result<std::shared_ptr<MetricsSource>> MakeMetricsSource(const SchedulerConfig& config, const Logger& log);

}  // namespace buildfarm::scheduler
