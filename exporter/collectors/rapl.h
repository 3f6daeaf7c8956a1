// rapl collector: node_rapl_<zone>_joules_total{index,path} from /sys/class/powercap/*/energy_uj,
// or with --collector.rapl.enable-zone-label one node_rapl_joules_total{index,path,rapl_zone}, as
// node_exporter 1.5 serves them.
//
// A zone is any class/powercap entry with a readable `name`; "package-0" splits into name
// "package" and index 0, other names are indexed by how often they were seen before (two "dram"
// zones get 0 and 1). max_energy_range_uj must be readable and energy_uj a decimal number, as in
// node_exporter. The pure helpers are below; the collector holds immutable options and is
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct RaplZoneName {
  std::string name;
  std::int64_t index = 0;  // Go's int: 64 bits
};

// node_exporter's getIndexAndName; `seen` counts earlier zones per final name and is updated.
RaplZoneName RaplZoneIndexAndName(std::string_view raw_name, std::map<std::string, std::int64_t>& seen);

// node_exporter's SanitizeMetricName: every character outside [a-zA-Z0-9_] becomes '_'.
std::string SanitizeMetricName(std::string_view name);

CollectorSpec MakeRaplSpec();

}  // namespace buildfarm::exporter
