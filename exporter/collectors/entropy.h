// entropy collector: node_entropy_available_bits and node_entropy_pool_size_bits from
// /proc/sys/kernel/random/{entropy_avail,poolsize}, as node_exporter 1.5.
//
// ParseEntropyValue is pure; the collector keeps no mutable state and is thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// One of the two files: a single unsigned integer and a newline ("256\n").
Result<std::uint64_t> ParseEntropyValue(std::string_view text);

CollectorSpec MakeEntropySpec();

}  // namespace buildfarm::exporter
