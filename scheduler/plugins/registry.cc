#include "scheduler/plugins/registry.h"

#include <cstdio>
#include <cstdlib>

#include "scheduler/plugins/default_binder.h"
#include "scheduler/plugins/disk_space.h"
#include "scheduler/plugins/in_flight_load.h"
#include "scheduler/plugins/latency_aware.h"
#include "scheduler/plugins/least_loaded.h"
#include "scheduler/plugins/max_parallel.h"
#include "scheduler/plugins/memory_headroom.h"
#include "scheduler/plugins/metrics_fresh.h"
#include "scheduler/plugins/node_ready.h"
#include "scheduler/plugins/node_reservation.h"
#include "scheduler/plugins/node_selector.h"
#include "scheduler/plugins/priority_sort.h"
#include "scheduler/plugins/resource_fit.h"
#include "scheduler/plugins/target_load_packing.h"
#include "scheduler/plugins/thermal.h"

namespace buildfarm::scheduler::plugins {
namespace {

template <typename PluginType, typename Args>
Status Add(Registry& registry, Result<Args> (*parse)(const PluginArgs&)) {
  return registry.Register(std::string(PluginType::kName), MakeFactory<PluginType, Args>(parse));
}

}  // namespace

Status RegisterBuiltinPlugins(Registry& registry) {
  // QueueSort
  BUILDFARM_RETURN_IF_ERROR(Add<PrioritySort>(registry, &ParsePrioritySortArgs));
  // Filter
  BUILDFARM_RETURN_IF_ERROR(Add<NodeReady>(registry, &ParseNodeReadyArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<MetricsFresh>(registry, &ParseMetricsFreshArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<ResourceFit>(registry, &ParseResourceFitArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<DiskSpace>(registry, &ParseDiskSpaceArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<Thermal>(registry, &ParseThermalArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<NodeSelector>(registry, &ParseNodeSelectorArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<MaxParallel>(registry, &ParseMaxParallelArgs));
  // Score
  BUILDFARM_RETURN_IF_ERROR(Add<LeastLoaded>(registry, &ParseLeastLoadedArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<MemoryHeadroom>(registry, &ParseMemoryHeadroomArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<TargetLoadPacking>(registry, &ParseTargetLoadPackingArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<LatencyAware>(registry, &ParseLatencyAwareArgs));
  // Reserve
  BUILDFARM_RETURN_IF_ERROR(Add<NodeReservation>(registry, &ParseNodeReservationArgs));
  BUILDFARM_RETURN_IF_ERROR(Add<InFlightLoad>(registry, &ParseInFlightLoadArgs));
  // Bind
  BUILDFARM_RETURN_IF_ERROR(Add<DefaultBinder>(registry, &ParseDefaultBinderArgs));
  return Status::Ok();
}

Registry BuiltinRegistry() {
  Registry registry;
  Status status = RegisterBuiltinPlugins(registry);
  if (!status.ok()) {
    // Only a programming error (a duplicate name above) gets here; tests catch it.
    std::fprintf(stderr, "scheduler plugin registry: %s\n", status.ToString().c_str());
    std::abort();
  }
  return registry;
}

}  // namespace buildfarm::scheduler::plugins
