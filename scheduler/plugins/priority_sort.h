// PrioritySort queue-sort plugin: higher priority first (10 is most urgent), then older jobs first, then
// job id so that the order is total and repeatable.
//
// Stateless; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct PrioritySortArgs {};
Result<PrioritySortArgs> ParsePrioritySortArgs(const PluginArgs& args);

class PrioritySort final : public QueueSortPlugin {
 public:
  static constexpr std::string_view kName = "PrioritySort";
  explicit PrioritySort(PrioritySortArgs /*args*/) {}
  std::string_view Name() const override { return kName; }
  bool Less(const JobView& a, const JobView& b) const override;
};

}  // namespace buildfarm::scheduler::plugins
