#include "exporter/collectors/latency.h"

#include <limits>

namespace buildfarm::exporter {

Families LatencyFamilies(const std::vector<ProbeTargetState>& states) {
  Families out;
  bool any = false;
  for (const auto& state : states) any = any || state.has_result;
  if (!any) return out;
  auto& histogram = AddFamily(out, "buildfarm_probe_duration_seconds",
                              "Duration of successful latency probes in seconds.", prometheus::MetricType::Histogram);
  auto& success = AddFamily(out, "buildfarm_probe_success", "Whether the last latency probe succeeded (1) or not (0).",
                            kGauge);
  auto& last = AddFamily(out, "buildfarm_probe_last_duration_seconds",
                         "Duration of the last latency probe in seconds, failed or not.", kGauge);
  const auto& bounds = ProbeDurationBuckets();
  for (const auto& state : states) {
    if (!state.has_result) continue;
    std::vector<prometheus::ClientMetric::Label> labels{{"target", state.name},
                                                        {"kind", std::string(ProbeKindName(state.kind))}};
    prometheus::ClientMetric& metric = histogram.metric.emplace_back();
    metric.label = labels;
    metric.histogram.sample_count = state.count;
    metric.histogram.sample_sum = state.sum;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += i < state.bucket_counts.size() ? state.bucket_counts[i] : 0;
      double bound = i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity();
      metric.histogram.bucket.push_back({cumulative, bound});
    }
    AddSample(success, labels, state.last.success ? 1 : 0);
    AddSample(last, labels, state.last.duration_seconds);
  }
  return out;
}

namespace {

class LatencyCollector : public Collector {
 public:
  explicit LatencyCollector(std::shared_ptr<Prober> prober) : prober_(std::move(prober)) {}
  std::string_view name() const override { return "latency"; }

  Status Collect(Families& out) override {
    if (prober_ == nullptr) return Status::Ok();
    Families families = LatencyFamilies(prober_->Snapshot());
    for (auto& family : families) out.push_back(std::move(family));
    return Status::Ok();
  }

 private:
  std::shared_ptr<Prober> prober_;
};

}  // namespace

std::unique_ptr<Collector> MakeLatencyCollector(std::shared_ptr<Prober> prober) {
  return std::make_unique<LatencyCollector>(std::move(prober));
}

CollectorSpec MakeLatencySpec() {
  CollectorSpec spec;
  spec.name = "latency";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    std::shared_ptr<Prober> prober;
    if (!env.config.probes.targets.empty()) prober = std::make_shared<Prober>(env.config.probes, env.log);
    return MakeLatencyCollector(std::move(prober));
  };
  return spec;
}

}  // namespace buildfarm::exporter
