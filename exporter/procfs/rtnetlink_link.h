// Route-netlink link dumps: the bytes the kernel answers to RTM_GETLINK with NLM_F_DUMP, parsed into
// each interface's name and rtnl_link_stats64 counters (node_exporter's netdev collector in its
// default --collector.netdev.netlink mode reads the same thing).
//
// ParseLinkDump is a pure function over bytes: the collector gets them from a LinkDumpSource, which is
// a socket in production and recorded or hand-built messages in tests. Every length in the input is
// checked against the bytes that are really there, so truncated or lying headers are errors, never
// reads out of bounds. Sources are used by one scrape at a time (each Collect makes its own).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::exporter {

// The rtnl_link_stats64 fields, in the kernel's order (include/uapi/linux/if_link.h). Kernels
// before 4.6 stop before rx_nohandler; that field then reads 0.
enum LinkStat : int {
  kRxPackets, kTxPackets, kRxBytes, kTxBytes, kRxErrors, kTxErrors, kRxDropped, kTxDropped,
  kMulticast, kCollisions, kRxLengthErrors, kRxOverErrors, kRxCrcErrors, kRxFrameErrors,
  kRxFifoErrors, kRxMissedErrors, kTxAbortedErrors, kTxCarrierErrors, kTxFifoErrors,
  kTxHeartbeatErrors, kTxWindowErrors, kRxCompressed, kTxCompressed, kRxNohandler,
  kLinkStatCount
};

struct LinkStatsEntry {
  std::string name;
  bool has_stats = false;  // neither IFLA_STATS64 nor IFLA_STATS was present
  std::array<std::uint64_t, kLinkStatCount> stats{};
};

struct LinkDump {
  std::vector<LinkStatsEntry> links;
  bool done = false;  // an NLMSG_DONE was seen: the dump is complete
};

// Walks the netlink messages in `bytes` (several recv() buffers may be concatenated). RTM_NEWLINK
// messages become entries (those without IFLA_IFNAME are skipped); IFLA_STATS64 is preferred over the
// 32-bit IFLA_STATS. Parsing stops at NLMSG_DONE. An NLMSG_ERROR with a non-zero errno, a header or
// attribute whose length is too small or runs past the end, or a stats block shorter than the
// 23 fields every kernel sends is an error naming the byte offset.
Result<LinkDump> ParseLinkDump(std::string_view bytes);

// Where the dump bytes come from. Dump() returns the whole answer, up to and including NLMSG_DONE.
class LinkDumpSource {
 public:
  virtual ~LinkDumpSource() = default;
  virtual Result<std::string> Dump() = 0;
};

using LinkDumpSourceFactory = std::function<std::unique_ptr<LinkDumpSource>()>;

// An AF_NETLINK/NETLINK_ROUTE socket opened per Dump() (as node_exporter dials per scrape), with a
// receive timeout so a scrape cannot hang on it.
std::unique_ptr<LinkDumpSource> MakeRtnetlinkLinkSource();

}  // namespace buildfarm::exporter
