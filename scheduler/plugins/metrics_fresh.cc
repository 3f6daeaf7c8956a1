#include "scheduler/plugins/metrics_fresh.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<MetricsFreshArgs> ParseMetricsFreshArgs(const PluginArgs& args) {
  MetricsFreshArgs out;
  BUILDFARM_RETURN_IF_ERROR(args.ReadDurationSeconds("maxStaleness", &out.max_staleness_seconds));
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({"maxStaleness"}));
  return out;
}

Verdict MetricsFresh::Filter(const CycleState& state, const JobView& /*job*/, const NodeView& node) const {
  if (!node.metrics) return Verdict::Unschedulable("no metrics yet");
  // A sample stamped slightly in the future (clock skew between hosts) counts as fresh.
  const double age = SecondsBetween(node.metrics->sample_time, state.now);
  if (age > args_.max_staleness_seconds) {
    return Verdict::Unschedulable(ReasonBuilder()
                                      .Add("metrics are ").Number(age, 1)
                                      .Add("s old (max ").Number(args_.max_staleness_seconds, 1)
                                      .Add("s)")
                                      .Take());
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
