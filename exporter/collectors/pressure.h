// pressure collector: node_pressure_{cpu,io,memory}_waiting_seconds_total and
// node_pressure_{io,memory}_stalled_seconds_total from /proc/pressure/{cpu,io,memory} (PSI), as
// node_exporter 1.5 names them. A kernel without PSI (no /proc/pressure, or psi=0) is "no data".
//
// ParsePressure is pure; the collector holds no mutable state and is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct PressureLine {
  double avg10 = 0;
  double avg60 = 0;
  double avg300 = 0;
  std::uint64_t total_microseconds = 0;
};

struct PressureStats {
  std::optional<PressureLine> some;  // at least one task stalled
  std::optional<PressureLine> full;  // all non-idle tasks stalled (cpu has it only since Linux 5.13)
};

// "some avg10=0.12 avg60=0.31 avg300=0.27 total=51239847" and the same for "full"; lines with any
// other first word are skipped, as node_exporter does. Errors name the line.
Result<PressureStats> ParsePressure(std::string_view text);

CollectorSpec MakePressureSpec();

}  // namespace buildfarm::exporter
