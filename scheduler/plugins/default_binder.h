// DefaultBinder bind plugin: hands the placement to the cycle's Binder (the scheduler application's store).
// Without a Binder the placement is only recorded in the cycle's decisions.
//
// Stateless; thread-safe as far as the Binder it calls is.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct DefaultBinderArgs {};
Result<DefaultBinderArgs> ParseDefaultBinderArgs(const PluginArgs& args);

class DefaultBinder final : public BindPlugin {
 public:
  static constexpr std::string_view kName = "DefaultBinder";
  explicit DefaultBinder(DefaultBinderArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  Status Bind(CycleState& state, const JobView& job, const NodeView& node) const override;
};

}  // namespace buildfarm::scheduler::plugins
