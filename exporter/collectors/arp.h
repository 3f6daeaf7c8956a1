// arp collector: node_arp_entries{device} from /proc/net/arp, the number of neighbour entries per
// interface as node_exporter 1.5 counts them, filtered by --collector.arp.device-include/-exclude.
//
// ParseArpEntries is pure; the collector's only state is the memoizing device filter, which is
// thread-safe, so Collect() may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct ArpDeviceCount {
  std::string device;
  std::uint64_t entries = 0;
};

// The header line, then "IP  HWtype  Flags  HWaddress  Mask  Device" lines: each needs six columns,
// an IP address and a hardware address (":"- or "-"-separated hex bytes, 6, 8 or 20 of them) as
// node_exporter's procfs library checks. Devices in order of first appearance. Errors name the line.
Result<std::vector<ArpDeviceCount>> ParseArpEntries(std::string_view text);

CollectorSpec MakeArpSpec();

}  // namespace buildfarm::exporter
