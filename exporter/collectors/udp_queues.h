// udp_queues collector: node_udp_queues{ip="v4"|"v6",queue="tx"|"rx"}, the bytes queued in all UDP
// sockets' send and receive buffers, summed from /proc/net/udp and /proc/net/udp6 as node_exporter 1.5
// does. No /proc/net/udp is "no data". Without /proc/net/udp6 (IPv6 disabled) the v4 series are
// still served and the scrape succeeds; node_exporter serves them too but reports failure.
//
// ParseUdpQueues is pure; the collector holds no mutable state and is thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct UdpQueueTotals {
  std::uint64_t tx_bytes = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t sockets = 0;
};

// The header line, then one line per socket: "sl: local:port remote:port st tx:rx tr tm->when
// retrnsmt uid ...", every field checked as node_exporter's procfs library checks it (hex
// addresses, ports, state and queues; decimal slot and uid). Errors name the line.
Result<UdpQueueTotals> ParseUdpQueues(std::string_view text);

CollectorSpec MakeUdpQueuesSpec();

}  // namespace buildfarm::exporter
