// loadavg collector: node_load1, node_load5 and node_load15 from /proc/loadavg.
//
// ParseLoadavg is a pure function; the collector holds no mutable state and is thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct LoadAverage {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};

// "0.52 0.58 0.59 1/1032 12345\n" -> {0.52, 0.58, 0.59}.
Result<LoadAverage> ParseLoadavg(std::string_view text);

CollectorSpec MakeLoadavgSpec();

}  // namespace buildfarm::exporter
