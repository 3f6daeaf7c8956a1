#include "scheduler/plugins/node_reservation.h"

namespace buildfarm::scheduler::plugins {

Result<NodeReservationArgs> ParseNodeReservationArgs(const PluginArgs& args) {
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({}));
  return NodeReservationArgs{};
}

Status NodeReservation::Reserve(CycleState& /*state*/, const JobView& job, NodeView& node) const {
  node.reservations += job.requirements;
  ++node.running_jobs;
  return Status::Ok();
}

void NodeReservation::Unreserve(CycleState& /*state*/, const JobView& job, NodeView& node) const {
  node.reservations -= job.requirements;
  --node.running_jobs;
}

}  // namespace buildfarm::scheduler::plugins
