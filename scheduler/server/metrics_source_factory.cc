#include "scheduler/server/metrics_source_factory.h"

#include "scheduler/metrics_source/prometheus_source.h"

namespace buildfarm::scheduler {

void StaticMetricsSource::Set(std::map<std::string, NodeMetrics> nodes, Time fetched_at, bool ok) {
  auto snapshot = std::make_shared<MetricsSnapshot>();
  snapshot->nodes = std::move(nodes);
  snapshot->fetched_at = fetched_at;
  snapshot->last_attempt_at = fetched_at;
  snapshot->last_attempt_ok = ok;
  snapshot->last_error = ok ? "" : (error_.empty() ? "query failed" : error_);
  MutexLock lock(mu_);
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<const MetricsSnapshot> StaticMetricsSource::Latest() const {
  MutexLock lock(mu_);
  return snapshot_;
}

Result<std::shared_ptr<MetricsSource>> MakeMetricsSource(const SchedulerConfig& config, const Logger& log) {
  if (config.prometheus.url.empty()) {
    log.Info("no Prometheus configured; scheduling without node metrics");
    return std::shared_ptr<MetricsSource>(std::make_shared<StaticMetricsSource>("no Prometheus configured"));
  }
  PrometheusSourceOptions options;
  options.url = config.prometheus.url;
  options.refresh_seconds = config.prometheus.refresh_interval_seconds;
  options.timeout_seconds = config.prometheus.timeout_seconds;
  options.tls = config.prometheus.tls;
  // Names are checked when the config is parsed; a query left out keeps its recording-rule default.
  const std::map<std::string, std::string*> slots = {
      {"cpu_utilisation", &options.queries.cpu_utilisation},
      {"memory_available", &options.queries.memory_available},
      {"build_fs_available", &options.queries.build_fs_available},
      {"max_temperature", &options.queries.max_temperature},
      {"probe_rtt", &options.queries.probe_rtt},
  };
  for (const auto& [name, query] : config.prometheus.queries) {
    auto slot = slots.find(name);
    if (slot == slots.end()) return InvalidArgument("prometheus.queries." + name + ": unknown query");
    *slot->second = query;
  }
  auto source = std::make_shared<PrometheusMetricsSource>(std::move(options), log);
  Status started = source->Start();
  if (!started.ok()) return started.WithContext("prometheus.url");
  return std::shared_ptr<MetricsSource>(std::move(source));
}

}  // namespace buildfarm::scheduler
