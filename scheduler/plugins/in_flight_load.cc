#include "scheduler/plugins/in_flight_load.h"

#include "scheduler/framework/in_flight.h"

namespace buildfarm::scheduler::plugins {

Result<InFlightLoadArgs> ParseInFlightLoadArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return InFlightLoadArgs{};
}

Status InFlightLoad::Reserve(CycleState& state, const JobView& job, NodeView& node) const {
  const double load = ExpectedJobLoad(job, node, state.default_job_cores);
  node.in_flight_load += load;
  if (state.in_flight != nullptr) state.in_flight->Record(node.name, job.id, load, state.now);
  return Status::Ok();
}

void InFlightLoad::Unreserve(CycleState& state, const JobView& job, NodeView& node) const {
  node.in_flight_load -= ExpectedJobLoad(job, node, state.default_job_cores);
  if (state.in_flight != nullptr) state.in_flight->Forget(node.name, job.id);
}

}  // namespace buildfarm::scheduler::plugins
