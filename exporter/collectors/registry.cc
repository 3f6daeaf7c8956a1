#include "exporter/collectors/registry.h"

#include "exporter/collectors/filesystem.h"
#include "exporter/collectors/loadavg.h"

namespace buildfarm::exporter {

std::vector<CollectorSpec> BuiltinCollectorSpecs() {
  std::vector<CollectorSpec> specs;
  specs.push_back(MakeLoadavgSpec());
  specs.push_back(MakeFilesystemSpec());
  return specs;
}

}  // namespace buildfarm::exporter
