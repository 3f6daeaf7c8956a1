// btrfs collector: node_btrfs_* from /sys/fs/btrfs/<uuid>/ as node_exporter 1.5 serves them from
// sysfs: info{label}, global_rsv_size_bytes, reserved_bytes, used_bytes, size_bytes,
// allocation_ratio and device_size_bytes{device}.
//
// node_exporter 1.5 reads only sysfs for btrfs (per-device error counters over ioctls came in later
// releases), so nothing is left out against 1.5. The value parsing is pure; the collector keeps only
// its directory and is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// A btrfs sysfs number as node_exporter reads it: Go's ParseUint base 10 of the trimmed text, and 0
// (not an error) when that fails.
std::uint64_t ParseBtrfsValue(std::string_view text);

// The ratio of raw to logical space for a block-group profile ("raid1" -> 2), as node_exporter
// computes it from the filesystem's device count; 0 for profiles it does not know.
double BtrfsAllocationRatio(std::string_view mode, std::size_t devices);

struct BtrfsLayout {
  std::uint64_t total_bytes = 0;
  std::uint64_t used_bytes = 0;
};

struct BtrfsAllocation {
  std::uint64_t reserved_bytes = 0;
  std::map<std::string, BtrfsLayout> layouts;  // by profile directory: single, dup, raid1, ...
};

struct BtrfsFilesystem {
  std::string uuid;
  std::string label;
  std::uint64_t global_rsv_size = 0;
  std::map<std::string, std::uint64_t> device_sizes;  // device name -> bytes
  std::map<std::string, BtrfsAllocation> allocations;  // data, metadata, system
};

// Reads one /sys/fs/btrfs/<uuid> directory; kNotFound when it has gone.
Result<BtrfsFilesystem> ReadBtrfsFilesystem(const std::string& dir);

CollectorSpec MakeBtrfsSpec();

}  // namespace buildfarm::exporter
