// LatencyAware score: prefers nodes with a short probe round-trip time to a named target (for example the
// git remote, as probed by the exporter). Raw score: 100 × (1 − rtt / max_rtt), 0 at or beyond max_rtt
// (100 ms by default) and for nodes without a probe of the target. NormalizeScore then scales the scores
// so that the best feasible node gets 100 (proportionally, like Kubernetes' default normalisation).
// `target` is required.
//
// Immutable after construction; thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct LatencyAwareArgs {
  std::string target;             // "target": a probe target name
  double max_rtt_seconds = 0.1;   // "maxRtt"
};
Result<LatencyAwareArgs> ParseLatencyAwareArgs(const PluginArgs& args);

class LatencyAware final : public ScorePlugin {
 public:
  static constexpr std::string_view kName = "LatencyAware";
  explicit LatencyAware(LatencyAwareArgs args) : args_(std::move(args)) {}
  std::string_view Name() const override { return kName; }
  Result<int> Score(const CycleState& state, const JobView& job, const NodeView& node) const override;
  bool HasNormalizeScore() const override { return true; }
  Status NormalizeScore(const CycleState& state, const JobView& job, std::span<NodeScore> scores) const override;

 private:
  LatencyAwareArgs args_;
};

}  // namespace buildfarm::scheduler::plugins
