// NodeReady filter: the node is in state ready (not cordoned, draining or down) and its last heartbeat is
// within the lease (15 s by default, the same lease that marks a silent node down).
//
// Immutable after construction; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct NodeReadyArgs {
  double lease_seconds = 15;  // "lease"
};
Result<NodeReadyArgs> ParseNodeReadyArgs(const PluginArgs& args);

class NodeReady final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "NodeReady";
  explicit NodeReady(NodeReadyArgs args) : args_(args) {}
  std::string_view Name() const override { return kName; }
  Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const override;

 private:
  NodeReadyArgs args_;
};

}  // namespace buildfarm::scheduler::plugins
