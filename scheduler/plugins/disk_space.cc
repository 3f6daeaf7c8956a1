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
    std::string reason = "build filesystem has " + FormatBytes(available) + " free";
    if (job.requirements.disk_bytes > 0) reason += ", job needs " + FormatBytes(job.requirements.disk_bytes);
    return Verdict::Unschedulable(reason + ", minimum free " + FormatBytes(args_.min_free_bytes));
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
