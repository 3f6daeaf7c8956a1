#include "scheduler/plugins/latency_aware.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<LatencyAwareArgs> ParseLatencyAwareArgs(const PluginArgs& args) {
  LatencyAwareArgs out;
  BUILDFARM_RETURN_IF_ERROR(args.ReadString("target", &out.target));
  if (out.target.empty()) return InvalidArgument("argument target: required (a probe target name such as git)");
  BUILDFARM_RETURN_IF_ERROR(args.ReadDurationSeconds("maxRtt", &out.max_rtt_seconds));
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({"target", "maxRtt"}));
  return out;
}

Result<int> LatencyAware::Score(const CycleState& /*state*/, const JobView& /*job*/, const NodeView& node) const {
  if (!node.metrics) return 0;
  auto rtt = node.metrics->probe_rtt_seconds.find(args_.target);
  if (rtt == node.metrics->probe_rtt_seconds.end() || rtt->second < 0) return 0;
  return ClampScore(100.0 * (1.0 - rtt->second / args_.max_rtt_seconds));
}

Status LatencyAware::NormalizeScore(const CycleState& /*state*/, const JobView& /*job*/,
                                    std::span<NodeScore> scores) const {
  int best = 0;
  for (const NodeScore& s : scores) best = std::max(best, s.score);
  if (best == 0 || best == kMaxScore) return Status::Ok();
  for (NodeScore& s : scores) s.score = static_cast<int>(static_cast<std::int64_t>(s.score) * kMaxScore / best);
  return Status::Ok();
}

}  // namespace buildfarm::scheduler::plugins
