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
    return Verdict::Unschedulable(ReasonBuilder()
                                      .Add("insufficient cores: requested ").Number(want.cores)
                                      .Add(", free ").Number(cap.cores - used.cores)
                                      .Add(" of ").Number(cap.cores)
                                      .Take());
  }
  if (want.memory_bytes > 0 && want.memory_bytes > cap.memory_bytes - used.memory_bytes) {
    return Verdict::Unschedulable(ReasonBuilder()
                                      .Add("insufficient memory: requested ").Bytes(want.memory_bytes)
                                      .Add(", free ").Bytes(cap.memory_bytes - used.memory_bytes)
                                      .Add(" of ").Bytes(cap.memory_bytes)
                                      .Take());
  }
  if (cap.disk_bytes > 0 && want.disk_bytes > 0 && want.disk_bytes > cap.disk_bytes - used.disk_bytes) {
    return Verdict::Unschedulable(ReasonBuilder()
                                      .Add("insufficient disk: requested ").Bytes(want.disk_bytes)
                                      .Add(", free ").Bytes(cap.disk_bytes - used.disk_bytes)
                                      .Add(" of ").Bytes(cap.disk_bytes)
                                      .Take());
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
