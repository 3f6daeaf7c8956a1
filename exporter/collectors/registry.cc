#include "exporter/collectors/registry.h"

#include "exporter/collectors/filesystem.h"
#include "exporter/collectors/loadavg.h"
#include "exporter/collectors/topology.h"
#include "exporter/collectors/latency.h"

namespace buildfarm::exporter {

std::vector<CollectorSpec> BuiltinCollectorSpecs() {
  std::vector<CollectorSpec> specs;
  specs.push_back(MakeLoadavgSpec());
  specs.push_back(MakeFilesystemSpec());
  specs.push_back(MakeTopologySpec());
  specs.push_back(MakeLatencySpec());
  return specs;
}

}  // namespace buildfarm::exporter
