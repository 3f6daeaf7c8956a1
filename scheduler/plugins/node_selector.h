// NodeSelector filter: every label in the job's selector is on the node with the same value, and every
// profile the job asks for is one the node offers.
//
// Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct NodeSelectorArgs {};
Result<NodeSelectorArgs> ParseNodeSelectorArgs(const PluginArgs& args);

class NodeSelector final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "NodeSelector";
  explicit NodeSelector(NodeSelectorArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const override;
};

}  // namespace buildfarm::scheduler::plugins
