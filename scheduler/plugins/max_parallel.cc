#include "scheduler/plugins/max_parallel.h"

#include <algorithm>
#include <cmath>

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<MaxParallelArgs> ParseMaxParallelArgs(const PluginArgs& args) {
  MaxParallelArgs out;
  BUILDFARM_RETURN_IF_ERROR(args.ReadInt("maxJobs", 0, 100000, &out.max_jobs));
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({"maxJobs"}));
  return out;
}

std::int64_t MaxParallel::LimitFor(const NodeView& node) const {
  if (args_.max_jobs > 0) return args_.max_jobs;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(node.capacity.cores)));
}

Verdict MaxParallel::Filter(const CycleState& /*state*/, const JobView& /*job*/, const NodeView& node) const {
  const std::int64_t limit = LimitFor(node);
  if (node.running_jobs >= limit) {
    return Verdict::Unschedulable(
        ReasonBuilder().Add("runs ").Integer(node.running_jobs).Add(" jobs, limit ").Integer(limit).Take());
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
