#include "scheduler/plugins/priority_sort.h"

namespace buildfarm::scheduler::plugins {

Result<PrioritySortArgs> ParsePrioritySortArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return PrioritySortArgs{};
}

bool PrioritySort::Less(const JobView& a, const JobView& b) const {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.created != b.created) return a.created < b.created;
  return a.id < b.id;
}

}  // namespace buildfarm::scheduler::plugins
