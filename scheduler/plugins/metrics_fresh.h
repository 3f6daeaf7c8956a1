// MetricsFresh filter: the node has metrics and their sample timestamp is no older than max_staleness
// (60 s by default) at the cycle's `now`. Load-aware scores are only as good as their data, so a node whose
// exporter or Prometheus went quiet takes no new work.
//
// Immutable after construction; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct MetricsFreshArgs {
  double max_staleness_seconds = 60;  // "maxStaleness"
};
Result<MetricsFreshArgs> ParseMetricsFreshArgs(const PluginArgs& args);

class MetricsFresh final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "MetricsFresh";
  explicit MetricsFresh(MetricsFreshArgs args) : args_(args) {}
  std::string_view Name() const override { return kName; }
  Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const override;

 private:
  MetricsFreshArgs args_;
};

}  // namespace buildfarm::scheduler::plugins
