// InFlightLoad reserve plugin: counts the job's expected CPU load (its cores, or the profile's
// defaultJobCores, over the node's cores) on the node, both in the cycle snapshot and in the scheduler's
// InFlightTracker (when there is one), where it stays until metrics sampled after the binding arrive.
//
// Stateless; thread-safe (the tracker locks itself).
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct InFlightLoadArgs {};
Result<InFlightLoadArgs> ParseInFlightLoadArgs(const PluginArgs& args);

class InFlightLoad final : public ReservePlugin {
 public:
  static constexpr std::string_view kName = "InFlightLoad";
  explicit InFlightLoad(InFlightLoadArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  Status Reserve(CycleState& state, const JobView& job, NodeView& node) const override;
  void Unreserve(CycleState& state, const JobView& job, NodeView& node) const override;
};

}  // namespace buildfarm::scheduler::plugins
