// TargetLoadPacking score, Trimaran's formula: with U the predicted CPU utilisation in percent (measured +
// in flight + this job) and T the target (40 by default),
//   U <= T:        score = (100 − T) × U / T + T   (rises linearly from T at idle to 100 at the target)
//   T < U <= 100:  score = T × (100 − U) / (100 − T)  (falls to 0 at full load)
//   U > 100:       score = 0
// It packs work onto nodes until they reach the target, leaving the rest idle for big jobs. A node without
// metrics scores 0.
//
// Immutable after construction; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct TargetLoadPackingArgs {
  double target_utilization_percent = 40;  // "targetUtilization", in (0, 100)
};
Result<TargetLoadPackingArgs> ParseTargetLoadPackingArgs(const PluginArgs& args);

// The formula above, for tests and Explain readers.
double TargetLoadPackingScore(double utilization_percent, double target_percent);

class TargetLoadPacking final : public ScorePlugin {
 public:
  static constexpr std::string_view kName = "TargetLoadPacking";
  explicit TargetLoadPacking(TargetLoadPackingArgs args) : args_(args) {}
  std::string_view Name() const override { return kName; }
  Result<int> Score(const CycleState& state, const JobView& job, const NodeView& node) const override;

 private:
  TargetLoadPackingArgs args_;
};

}  // namespace buildfarm::scheduler::plugins
