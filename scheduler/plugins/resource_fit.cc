#include "scheduler/plugins/resource_fit.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<ResourceFitArgs> ParseResourceFitArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return ResourceFitArgs{};
}

Verdict ResourceFit::Filter(const CycleState& /*state*/, const JobView& job, const NodeView& node) const {
  const Resources& want = job.requirements;
  const Resources& cap = node.capacity;
  const Resources& used = node.reservations;
  if (want.cores > 0 && want.cores > cap.cores - used.cores) {
    return Verdict::Unschedulable("insufficient cores: requested " + FormatNumber(want.cores) + ", free " +
                                  FormatNumber(cap.cores - used.cores) + " of " + FormatNumber(cap.cores));
  }
  if (want.memory_bytes > 0 && want.memory_bytes > cap.memory_bytes - used.memory_bytes) {
    return Verdict::Unschedulable("insufficient memory: requested " + FormatBytes(want.memory_bytes) + ", free " +
                                  FormatBytes(cap.memory_bytes - used.memory_bytes) + " of " +
                                  FormatBytes(cap.memory_bytes));
  }
  if (cap.disk_bytes > 0 && want.disk_bytes > 0 && want.disk_bytes > cap.disk_bytes - used.disk_bytes) {
    return Verdict::Unschedulable("insufficient disk: requested " + FormatBytes(want.disk_bytes) + ", free " +
                                  FormatBytes(cap.disk_bytes - used.disk_bytes) + " of " +
                                  FormatBytes(cap.disk_bytes));
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
