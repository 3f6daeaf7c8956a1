#include "scheduler/plugins/memory_headroom.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<MemoryHeadroomArgs> ParseMemoryHeadroomArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return MemoryHeadroomArgs{};
}

Result<int> MemoryHeadroom::Score(const CycleState& /*state*/, const JobView& job, const NodeView& node) const {
  if (!node.metrics || node.capacity.memory_bytes <= 0) return 0;
  const double left = static_cast<double>(node.metrics->memory_available_bytes - job.requirements.memory_bytes);
  return ClampScore(100.0 * left / static_cast<double>(node.capacity.memory_bytes));
}

}  // namespace buildfarm::scheduler::plugins
