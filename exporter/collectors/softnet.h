// softnet collector: node_softnet_processed_total, node_softnet_dropped_total and
// node_softnet_times_squeezed_total per cpu from /proc/net/softnet_stat, as node_exporter 1.5
// exports them (the cpu label is the line's position in the file).
//
// ParseSoftnet is pure; the collector holds no mutable state and is thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct SoftnetCpu {
  std::uint32_t processed = 0;
  std::uint32_t dropped = 0;
  std::uint32_t time_squeezed = 0;
};

// One line per online cpu of at least 9 hexadecimal columns (Linux 2.6.23 wrote 9; 5.10 writes 13);
// the first three are read and must be 32-bit hex numbers. Errors name the line.
Result<std::vector<SoftnetCpu>> ParseSoftnet(std::string_view text);

CollectorSpec MakeSoftnetSpec();

}  // namespace buildfarm::exporter
