// MaxParallel filter: the node runs fewer than max_jobs jobs (assigned or running). max_jobs 0, the
// default, means one job per core of the node (at least one).
//
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct MaxParallelArgs {
  std::int64_t max_jobs = 0;  // "maxJobs"; 0 = the node's core count
};
Result<MaxParallelArgs> ParseMaxParallelArgs(const PluginArgs& args);

class MaxParallel final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "MaxParallel";
  explicit MaxParallel(MaxParallelArgs args) : args_(args) {}
  std::string_view Name() const override { return kName; }
  Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const override;

  // The limit that applies to `node`.
  std::int64_t LimitFor(const NodeView& node) const;

 private:
  MaxParallelArgs args_;
};

}  // namespace buildfarm::scheduler::plugins
