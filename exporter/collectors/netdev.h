// netdev collector: node_network_{receive,transmit}_*_total{device}, with node_exporter's
// --collector.netdev.device-exclude / device-include (no default exclude: lo is served, as upstream).
//
// Like node_exporter 1.5, it reads the kernel's rtnl_link_stats64 over route netlink by default
// (--collector.netdev.netlink), which adds receive_nohandler; --no-collector.netdev.netlink reads
// /proc/net/dev instead (under --path.procfs, so fixtures work; netlink always sees the live host).
// ParseNetDev and ParseLinkDump (exporter/procfs/rtnetlink_link.h) are pure functions; the collector
// holds immutable options and a thread-safe device filter, and opens one netlink socket per scrape.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"
#include "exporter/procfs/rtnetlink_link.h"

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

// `netlink_source` replaces the kernel socket (tests feed recorded dumps); empty means the socket.
CollectorSpec MakeNetdevSpec(LinkDumpSourceFactory netlink_source = nullptr);

}  // namespace buildfarm::exporter
