// meminfo collector: node_memory_<Field>_bytes for every /proc/meminfo field with a unit (kB,
// scaled to bytes) and node_memory_<Field> for the unitless ones (HugePages_*), named exactly as
// node_exporter 1.5 names them ("Active(anon)" -> "Active_anon").
//
// ParseMeminfo and FindMeminfo are pure; the collector holds no mutable state and is thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct MeminfoEntry {
  std::string field;      // mangled kernel name without unit suffix: "MemTotal", "Active_anon", "HugePages_Free"
  bool in_bytes = false;  // the line had a unit (always kB), so `value` is in bytes; else a plain count
  double value = 0;
};

// Fields in file order; a field repeated later overwrites the earlier value in place (node_exporter
// keeps the last one). Errors name the line and what was wrong with it.
Result<std::vector<MeminfoEntry>> ParseMeminfo(std::string_view text);

// The value of `field` (mangled name, e.g. "MemAvailable"), in bytes or as a count.
std::optional<double> FindMeminfo(const std::vector<MeminfoEntry>& entries, std::string_view field);

// "node_memory_MemTotal_bytes", "node_memory_HugePages_Free".
std::string MeminfoMetricName(const MeminfoEntry& entry);

CollectorSpec MakeMeminfoSpec();

}  // namespace buildfarm::exporter
