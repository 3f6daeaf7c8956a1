// powersupplyclass collector: node_power_supply_* {power_supply} and node_power_supply_info from
// /sys/class/power_supply/<supply>/, as node_exporter 1.5 serves them, with its flag
// --collector.powersupply.ignored-supplies (default "^$").
//
// As in node_exporter 1.5, only regular files are read, an attribute the driver refuses is left
// out, a numeric attribute that does not parse (Go base-0 syntax) fails the scrape, micro-units
// (µA, µV, µWh, µW) are scaled to base units and temperatures from tenths of a degree. A supply
// unplugged between listing and reading is skipped (node_exporter 1.5 fails the scrape). Parsing is
// pure; the collector holds immutable options and a thread-safe filter.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct PowerSupply {
  std::map<std::string, double> values;       // metric suffix ("capacity", "voltage_volt") -> scaled value
  std::map<std::string, std::string> labels;  // node_power_supply_info labels other than power_supply
};

// Adds one attribute file's trimmed contents; files node_exporter does not export are ignored.
Status ParsePowerSupplyAttribute(std::string_view file, std::string_view value, PowerSupply& supply);

CollectorSpec MakePowerSupplyClassSpec();

}  // namespace buildfarm::exporter
