// time collector: node_time_seconds, node_time_zone_offset_seconds{time_zone}, and
// node_time_clocksource_{available,current}_info{device,clocksource} from
// /sys/devices/system/clocksource, as node_exporter 1.5.
//
// ParseClocksource is pure; the collector holds no mutable state and is thread-safe (it uses
// localtime_r).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct Clocksource {
  std::vector<std::string> available;
  std::string current;
};

// The texts of available_clocksource ("tsc hpet acpi_pm \n") and current_clocksource ("tsc\n").
// Names must be printable ASCII (they become label values).
Result<Clocksource> ParseClocksource(std::string_view available, std::string_view current);

CollectorSpec MakeTimeSpec();

}  // namespace buildfarm::exporter
