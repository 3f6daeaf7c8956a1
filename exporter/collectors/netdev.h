// netdev collector: node_network_{receive,transmit}_*_total{device} from /proc/net/dev, with
// node_exporter's --collector.netdev.device-exclude / device-include (default exclude "^lo$").
//
// node_exporter 1.5 reads netlink by default; this collector always reads /proc/net/dev, which
// matches node_exporter run with --no-collector.netdev.netlink. ParseNetDev is a pure function; the
// collector holds immutable options and a thread-safe device filter.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs
// drop fifo colls carrier compressed.
inline constexpr int kNetDevValues = 16;

struct NetDevLine {
  std::string_view device;
  std::array<std::uint64_t, kNetDevValues> values{};
};

// Skips the two header lines. A line without a colon, with fewer than 16 counters, or with a counter
// that is not an unsigned decimal integer makes the whole file an error (node_exporter fails the
// same way, or panics on short lines). The name is everything before the last colon, trimmed.
Result<std::vector<NetDevLine>> ParseNetDev(std::string_view text);

CollectorSpec MakeNetdevSpec();

}  // namespace buildfarm::exporter
