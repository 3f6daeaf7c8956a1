// xfs collector: node_xfs_*{device} from /sys/fs/xfs/<device>/stats/stats, as node_exporter 1.5
// serves them (it reads only the per-filesystem sysfs files, not the global /proc/fs/xfs/stat).
//
// ParseXfsStats validates the whole file the way node_exporter's procfs library does (every line's
// values must be 32-bit counters, xpc's 64-bit; known groups must have their value counts) and
// keeps the groups node_exporter exports. Pure parser; the collector keeps only its directory and
// is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// Group label ("extent_alloc", "abt", "blk_map", "bmbt", "dir", "ig", "rw", "vnodes", ...) to its
// values, for every group the file has.
using XfsStats = std::map<std::string, std::vector<std::uint64_t>, std::less<>>;

Result<XfsStats> ParseXfsStats(std::string_view text);

CollectorSpec MakeXfsSpec();

}  // namespace buildfarm::exporter
