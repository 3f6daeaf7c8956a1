// DiskSpace filter: the build filesystem keeps at least min_free_bytes free (5 GiB by default) after the
// job's own disk requirement, judged by the latest metrics. A node without metrics is unschedulable here.
//
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct DiskSpaceArgs {
  std::int64_t min_free_bytes = 5LL << 30;  // "minFreeBytes", e.g. 5Gi
};
Result<DiskSpaceArgs> ParseDiskSpaceArgs(const PluginArgs& args);

class DiskSpace final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "DiskSpace";
  explicit DiskSpace(DiskSpaceArgs args) : args_(args) {}
  std::string_view Name() const override { return kName; }
  Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const override;

 private:
  DiskSpaceArgs args_;
};

}  // namespace buildfarm::scheduler::plugins
