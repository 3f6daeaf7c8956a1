#include "scheduler/plugins/disk_space.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<DiskSpaceArgs> ParseDiskSpaceArgs(const PluginArgs& args) {
  DiskSpaceArgs out;
  BUILDFARM_RETURN_IF_ERROR(args.ReadBytes("minFreeBytes", &out.min_free_bytes));
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({"minFreeBytes"}));
  return out;
}

Verdict DiskSpace::Filter(const CycleState& /*state*/, const JobView& job, const NodeView& node) const {
  if (!node.metrics) return Verdict::Unschedulable("no build filesystem metrics");
  const std::int64_t available = node.metrics->build_fs_available_bytes;
  const std::int64_t after = available - job.requirements.disk_bytes;
  if (after < args_.min_free_bytes) {
    ReasonBuilder reason;
    reason.Add("build filesystem has ").Bytes(available).Add(" free");
    if (job.requirements.disk_bytes > 0) reason.Add(", job needs ").Bytes(job.requirements.disk_bytes);
    return Verdict::Unschedulable(reason.Add(", minimum free ").Bytes(args_.min_free_bytes).Take());
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
