// bcache collector: node_bcache_*{uuid[,backing_device|cache_device]} from /sys/fs/bcache/<uuid>/,
// as node_exporter 1.5 serves them; --collector.bcache.priorityStats (default off) adds the
// priority_stats percentages, which the kernel computes by walking every bucket.
//
// bcache prints sizes with bch_hprint ("13.5k", "2.9G", with a tenths digit that is really
// 1024ths/10.24); the parsers reproduce node_exporter's (procfs's) reading of that, quirks
// included. Pure parsers; the collector keeps only its directory and option and is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// One bcache sysfs value ("412.3M", "83", "0.0k") in units: k/M/G/T/P/E/Z/Y are powers of 1024,
// any other trailing non-digit multiplies by 0, as procfs does.
Result<std::uint64_t> ParseBcacheValue(std::string_view text);
Result<std::int64_t> ParseBcacheSignedValue(std::string_view text);  // a leading '-' negates

struct BcacheWritebackRate {
  std::int64_t rate = 0, dirty = 0, target = 0, proportional = 0, integral = 0, change = 0, next_io_ms = 0;
};
Result<BcacheWritebackRate> ParseBcacheWritebackRateDebug(std::string_view text);

struct BcachePriorityStats {
  std::uint64_t unused_percent = 0, metadata_percent = 0;
};
Result<BcachePriorityStats> ParseBcachePriorityStats(std::string_view text);

CollectorSpec MakeBcacheSpec();

}  // namespace buildfarm::exporter
