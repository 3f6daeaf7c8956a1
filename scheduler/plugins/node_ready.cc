#include "scheduler/plugins/node_ready.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<NodeReadyArgs> ParseNodeReadyArgs(const PluginArgs& args) {
  NodeReadyArgs out;
  BUILDFARM_RETURN_IF_ERROR(args.ReadDurationSeconds("lease", &out.lease_seconds));
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({"lease"}));
  return out;
}

Verdict NodeReady::Filter(const CycleState& state, const JobView& /*job*/, const NodeView& node) const {
  if (node.state != NodeState::kReady) return Verdict::Unschedulable(std::string("node is ") + NodeStateName(node.state));
  const double silent = SecondsBetween(node.last_heartbeat, state.now);
  if (silent > args_.lease_seconds) {
    return Verdict::Unschedulable("no heartbeat for " + FormatNumber(silent, 1) + "s (lease " +
                                  FormatNumber(args_.lease_seconds, 1) + "s)");
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
