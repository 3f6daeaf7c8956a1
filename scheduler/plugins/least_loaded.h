// LeastLoaded score: 100 × (1 − predicted CPU utilisation), where the prediction is the measured
// utilisation plus in-flight load plus this job's expected load. A node without metrics scores 0.
//
// Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct LeastLoadedArgs {};
Result<LeastLoadedArgs> ParseLeastLoadedArgs(const PluginArgs& args);

class LeastLoaded final : public ScorePlugin {
 public:
  static constexpr std::string_view kName = "LeastLoaded";
  explicit LeastLoaded(LeastLoadedArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  Result<int> Score(const CycleState& state, const JobView& job, const NodeView& node) const override;
};

}  // namespace buildfarm::scheduler::plugins
