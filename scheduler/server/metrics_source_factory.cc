#include "scheduler/server/metrics_source_factory.h"

namespace buildfarm::scheduler {

void StaticMetricsSource::Set(std::map<std::string, NodeMetrics> nodes, Time fetched_at, bool ok) {
  auto snapshot = std::make_shared<MetricsSnapshot>();
  snapshot->nodes = std::move(nodes);
  snapshot->fetched_at = fetched_at;
  snapshot->last_attempt_at = fetched_at;
  snapshot->last_attempt_ok = ok;
  snapshot->last_error = ok ? "" : (error_.empty() ? "query failed" : error_);
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<const MetricsSnapshot> StaticMetricsSource::Latest() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

Result<std::shared_ptr<MetricsSource>> MakeMetricsSource(const SchedulerConfig& config, const Logger& log) {
  if (config.prometheus.url.empty()) {
    log.Info("no Prometheus configured; scheduling without node metrics");
    return std::shared_ptr<MetricsSource>(std::make_shared<StaticMetricsSource>("no Prometheus configured"));
  }
  // The Prometheus-backed source is wired in at merge (scheduler/metrics_source/prometheus_source.h).
  log.Warn("Prometheus source not built in; scheduling without node metrics", {{"url", config.prometheus.url}});
  return std::shared_ptr<MetricsSource>(std::make_shared<StaticMetricsSource>("Prometheus source not built in"));
}

}  // namespace buildfarm::scheduler
