#include "scheduler/plugins/node_selector.h"

#include <algorithm>

namespace buildfarm::scheduler::plugins {

Result<NodeSelectorArgs> ParseNodeSelectorArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return NodeSelectorArgs{};
}

Verdict NodeSelector::Filter(const CycleState& /*state*/, const JobView& job, const NodeView& node) const {
  for (const auto& [key, want] : job.selector) {
    auto have = node.labels.find(key);
    if (have == node.labels.end()) {
      return Verdict::Unschedulable("selector " + key + "=" + want + ": node has no label " + key);
    }
    if (have->second != want) {
      return Verdict::Unschedulable("selector " + key + "=" + want + ": node has " + key + "=" + have->second);
    }
  }
  for (const std::string& profile : job.profiles) {
    if (std::find(node.profiles.begin(), node.profiles.end(), profile) == node.profiles.end()) {
      return Verdict::Unschedulable("profile " + profile + " not offered by node");
    }
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
