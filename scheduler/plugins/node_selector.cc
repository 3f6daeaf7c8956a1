#include "scheduler/plugins/node_selector.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace buildfarm::scheduler::plugins {
namespace {

// Built with one allocation: on a mixed fleet most nodes reject an os-selected job.
std::string Reason(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : parts) out += p;
  return out;
}

}  // namespace

Result<NodeSelectorArgs> ParseNodeSelectorArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return NodeSelectorArgs{};
}

Verdict NodeSelector::Filter(const CycleState& /*state*/, const JobView& job, const NodeView& node) const {
  for (const auto& [key, want] : job.selector) {
    auto have = node.labels.find(key);
    if (have == node.labels.end()) {
      return Verdict::Unschedulable(Reason({"selector ", key, "=", want, ": node has no label ", key}));
    }
    if (have->second != want) {
      return Verdict::Unschedulable(Reason({"selector ", key, "=", want, ": node has ", key, "=", have->second}));
    }
  }
  for (const std::string& profile : job.profiles) {
    if (std::find(node.profiles.begin(), node.profiles.end(), profile) == node.profiles.end()) {
      return Verdict::Unschedulable(Reason({"profile ", profile, " not offered by node"}));
    }
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
