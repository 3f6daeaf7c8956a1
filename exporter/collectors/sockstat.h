// sockstat collector: node_sockstat_sockets_used and node_sockstat_<PROTO>_<state> gauges from
// /proc/net/sockstat and /proc/net/sockstat6, named as node_exporter 1.5 names them (the protocol
// as the kernel spells it: TCP, UDPLITE, FRAG6), plus <PROTO>_mem_bytes (mem is in pages).
// Either file may be absent (IPv4 or IPv6 disabled); both absent is "no data".
//
// ParseSockstat is pure; the collector holds no mutable state and is thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct SockstatProtocol {
  std::string protocol;  // "TCP", "UDP6"
  // The states node_exporter exports, in its order, with the kernel's key names: inuse, orphan,
  // tw, alloc, mem, memory. Other keys are ignored.
  std::vector<std::pair<std::string, double>> states;
};

struct Sockstat {
  std::optional<double> sockets_used;  // the "sockets: used N" line; sockstat6 has none
  std::vector<SockstatProtocol> protocols;
};

// "sockets: used 229" and "TCP: inuse 12 orphan 1 tw 7 alloc 18 mem 5" lines; every protocol line
// holds key/value pairs with integer values. Errors name the line.
Result<Sockstat> ParseSockstat(std::string_view text);

CollectorSpec MakeSockstatSpec();

}  // namespace buildfarm::exporter
