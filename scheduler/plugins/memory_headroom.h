// MemoryHeadroom score: 100 × (available memory − the job's memory requirement) / memory capacity, so nodes
// with more room left after the job score higher. A node without metrics or capacity scores 0.
//
// Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct MemoryHeadroomArgs {};
Result<MemoryHeadroomArgs> ParseMemoryHeadroomArgs(const PluginArgs& args);

class MemoryHeadroom final : public ScorePlugin {
 public:
  static constexpr std::string_view kName = "MemoryHeadroom";
  explicit MemoryHeadroom(MemoryHeadroomArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  Result<int> Score(const CycleState& state, const JobView& job, const NodeView& node) const override;
};

}  // namespace buildfarm::scheduler::plugins
