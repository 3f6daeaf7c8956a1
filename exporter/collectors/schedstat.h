// schedstat collector: node_schedstat_running_seconds_total, node_schedstat_waiting_seconds_total
// and node_schedstat_timeslices_total per cpu from /proc/schedstat, as node_exporter 1.5 exports
// them. A kernel without CONFIG_SCHEDSTATS has no file: "no data".
//
// ParseSchedstat is pure; the collector holds no mutable state and is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct SchedstatCpu {
  std::string cpu;  // "0", from "cpu0"
  std::uint64_t running_nanoseconds = 0;
  std::uint64_t waiting_nanoseconds = 0;
  std::uint64_t timeslices = 0;
};

// The "cpu<N> ..." lines: nine counters, of which the 7th, 8th and 9th are time running, time
// waiting (ns) and timeslices. node_exporter skips a cpu line it cannot match and so do we (it
// then has no series); version, timestamp and domain lines are skipped. A text without a single
// usable cpu line is a parse error (node_exporter would serve nothing and call it success).
Result<std::vector<SchedstatCpu>> ParseSchedstat(std::string_view text);

CollectorSpec MakeSchedstatSpec();

}  // namespace buildfarm::exporter
