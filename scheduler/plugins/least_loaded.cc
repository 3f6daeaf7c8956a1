#include "scheduler/plugins/least_loaded.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<LeastLoadedArgs> ParseLeastLoadedArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return LeastLoadedArgs{};
}

Result<int> LeastLoaded::Score(const CycleState& state, const JobView& job, const NodeView& node) const {
  if (!node.metrics) return 0;
  return ClampScore(100.0 * (1.0 - PredictedCpuUtilisation(state, job, node)));
}

}  // namespace buildfarm::scheduler::plugins
