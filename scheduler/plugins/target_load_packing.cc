#include "scheduler/plugins/target_load_packing.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<TargetLoadPackingArgs> ParseTargetLoadPackingArgs(const PluginArgs& args) {
  TargetLoadPackingArgs out;
  BUILDFARM_RETURN_IF_ERROR(args.ReadDouble("targetUtilization", 1, 99, &out.target_utilization_percent));
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({"targetUtilization"}));
  return out;
}

double TargetLoadPackingScore(double u, double t) {
  if (u < 0) u = 0;
  if (u <= t) return (100 - t) * u / t + t;
  if (u <= 100) return t * (100 - u) / (100 - t);
  return 0;
}

Result<int> TargetLoadPacking::Score(const CycleState& state, const JobView& job, const NodeView& node) const {
  if (!node.metrics) return 0;
  const double percent = 100.0 * PredictedCpuUtilisation(state, job, node);
  return ClampScore(TargetLoadPackingScore(percent, args_.target_utilization_percent));
}

}  // namespace buildfarm::scheduler::plugins
