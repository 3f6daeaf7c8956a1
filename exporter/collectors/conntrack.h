// conntrack collector: node_nf_conntrack_entries and node_nf_conntrack_entries_limit from
// /proc/sys/net/netfilter/nf_conntrack_{count,max}, and node_nf_conntrack_stat_* (summed over cpus)
// from /proc/net/stat/nf_conntrack, as node_exporter 1.5 exports them. Without the nf_conntrack
// module the count file is absent: "no data".
//
// The parsers are pure; the collector holds no mutable state and is thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// The per-cpu counters node_exporter exports, summed over all cpu lines.
struct ConntrackStats {
  std::uint64_t found = 0;
  std::uint64_t invalid = 0;
  std::uint64_t ignore = 0;
  std::uint64_t insert = 0;
  std::uint64_t insert_failed = 0;
  std::uint64_t drop = 0;
  std::uint64_t early_drop = 0;
  std::uint64_t search_restart = 0;
};

// /proc/net/stat/nf_conntrack: a header line naming the columns, then one line of hex counters per
// cpu. Columns are found by their header names, so kernels that add or reorder columns still parse;
// the eight above must be present. Errors name the line.
Result<ConntrackStats> ParseConntrackStat(std::string_view text);

// nf_conntrack_count / nf_conntrack_max: one decimal number.
Result<std::uint64_t> ParseConntrackNumber(std::string_view text);

CollectorSpec MakeConntrackSpec();

}  // namespace buildfarm::exporter
