// thermal_zone collector: node_thermal_zone_temp{type,zone} from /sys/class/thermal/thermal_zone*,
// and node_cooling_device_{cur,max}_state{name,type} from /sys/class/thermal/cooling_device*, as
// node_exporter 1.5 reads them.
//
// The file-content parsers are pure functions; the collector holds only its directory path and is
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// A sysfs integer attribute such as "45000\n": surrounding whitespace is allowed, anything else is
// an error.
Result<std::int64_t> ParseSysfsInt64(std::string_view text);

struct ThermalZoneReading {
  std::string type;
  double celsius = 0;
};

// The zone's `type` and `temp` (millidegrees) file contents; `passive` (nullptr when the file is
// absent) must be an unsigned integer when present, as node_exporter requires.
Result<ThermalZoneReading> ParseThermalZone(std::string_view type_text, std::string_view temp_text,
                                            const std::string_view* passive_text);

struct CoolingDeviceReading {
  std::string type;
  std::int64_t cur_state = 0;
  std::int64_t max_state = 0;
};

Result<CoolingDeviceReading> ParseCoolingDevice(std::string_view type_text, std::string_view cur_state_text,
                                                std::string_view max_state_text);

CollectorSpec MakeThermalZoneSpec();

}  // namespace buildfarm::exporter
