// ResourceFit filter: the job's required cores, memory and disk fit in the node's capacity minus the
// reservations of jobs already assigned to it. Disk is checked only when the node reports a disk capacity
// (DiskSpace checks the filesystem's actual free space).
//
// Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct ResourceFitArgs {};
Result<ResourceFitArgs> ParseResourceFitArgs(const PluginArgs& args);

class ResourceFit final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "ResourceFit";
  explicit ResourceFit(ResourceFitArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const override;
};

}  // namespace buildfarm::scheduler::plugins
