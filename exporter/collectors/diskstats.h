// diskstats collector: node_disk_* per block device from /proc/diskstats, plus the udev-derived
// node_disk_info, node_disk_filesystem_info, node_disk_device_mapper_info and node_disk_ata_* series
// that node_exporter 1.5 exposes (read from --path.udev.data, default /run/udev/data).
//
// ParseDiskstats and ParseUdevData are pure functions; the collector keeps only its immutable
// options and a thread-safe device filter, so concurrent Collect() calls are safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// Counters after major, minor and name: reads (4), writes (4), in-flight, io ticks, weighted ticks,
// discards (4, kernel 4.18+) and flushes (2, kernel 5.5+).
inline constexpr int kDiskStatValues = 17;

struct DiskStatsLine {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::string_view device;
  std::array<std::uint64_t, kDiskStatValues> values{};
  int value_count = 0;  // how many of `values` the line had: 11 to 17
};

// One entry per line with at least 11 counters; shorter lines are skipped as node_exporter does.
// Fields after the 17th counter are ignored. A field that is not an unsigned decimal integer
// makes the whole file an error.
Result<std::vector<DiskStatsLine>> ParseDiskstats(std::string_view text);

// The E:KEY=VALUE properties of a udev database file (/run/udev/data/b<major>:<minor>).
struct UdevProperties {
  std::vector<std::pair<std::string_view, std::string_view>> entries;
  bool Has(std::string_view key) const;
  // The last value for `key`, or "" when absent.
  std::string_view Get(std::string_view key) const;
};

// Never fails: lines that are not E: properties are ignored.
UdevProperties ParseUdevData(std::string_view text);

CollectorSpec MakeDiskstatsSpec();

}  // namespace buildfarm::exporter
