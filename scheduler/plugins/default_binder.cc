#include "scheduler/plugins/default_binder.h"

namespace buildfarm::scheduler::plugins {

Result<DefaultBinderArgs> ParseDefaultBinderArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return DefaultBinderArgs{};
}

Status DefaultBinder::Bind(CycleState& state, const JobView& job, const NodeView& node) const {
  if (state.binder == nullptr) return Status::Ok();
  return state.binder->Bind(job, node, state.now);
}

}  // namespace buildfarm::scheduler::plugins
