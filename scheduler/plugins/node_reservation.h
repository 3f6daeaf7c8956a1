// NodeReservation reserve plugin: adds the job's requirements to the node's reservations and counts it
// among the node's jobs in the cycle snapshot, so ResourceFit and MaxParallel see it for the next job.
// Unreserve subtracts exactly what Reserve added.
//
// Stateless; thread-safe (it mutates only the snapshot it is handed).
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct NodeReservationArgs {};
Result<NodeReservationArgs> ParseNodeReservationArgs(const PluginArgs& args);

class NodeReservation final : public ReservePlugin {
 public:
  static constexpr std::string_view kName = "NodeReservation";
  explicit NodeReservation(NodeReservationArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  Status Reserve(CycleState& state, const JobView& job, NodeView& node) const override;
  void Unreserve(CycleState& state, const JobView& job, NodeView& node) const override;
};

}  // namespace buildfarm::scheduler::plugins
