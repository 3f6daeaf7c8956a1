#include "exporter/collectors/registry.h"

#include "exporter/collectors/loadavg.h"
#include "exporter/collectors/diskstats.h"
#include "exporter/collectors/hwmon.h"
#include "exporter/collectors/netdev.h"
#include "exporter/collectors/thermal_zone.h"

namespace buildfarm::exporter {

std::vector<CollectorSpec> BuiltinCollectorSpecs() {
  std::vector<CollectorSpec> specs;
  specs.push_back(MakeLoadavgSpec());
  specs.push_back(MakeDiskstatsSpec());
  specs.push_back(MakeHwmonSpec());
  specs.push_back(MakeNetdevSpec());
  specs.push_back(MakeThermalZoneSpec());
  return specs;
}

}  // namespace buildfarm::exporter
