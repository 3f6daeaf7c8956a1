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
  if (node.state != NodeState::kReady) {
    return Verdict::Unschedulable(ReasonBuilder().Add("node is ").Add(NodeStateName(node.state)).Take());
  }
  const double silent = SecondsBetween(node.last_heartbeat, state.now);
  if (silent > args_.lease_seconds) {
    return Verdict::Unschedulable(ReasonBuilder()
                                      .Add("no heartbeat for ").Number(silent, 1)
                                      .Add("s (lease ").Number(args_.lease_seconds, 1)
                                      .Add("s)")
                                      .Take());
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
