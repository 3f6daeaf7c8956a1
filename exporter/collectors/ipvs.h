// ipvs collector: node_ipvs_* from /proc/net/ip_vs_stats (totals) and /proc/net/ip_vs (one row per
// virtual/real server pair), as node_exporter 1.5 serves them, with --collector.ipvs.backend-labels.
//
// The parsers follow node_exporter's procfs reading: ip_vs_stats' third line holds five hex counters;
// ip_vs addresses are 8 hex digits (IPv4) or a bracketed IPv6 address, ports 4 hex digits. Pure
// parsers; the collector keeps only paths and the label choice, and is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct IpvsStats {
  std::uint64_t connections = 0;
  std::uint64_t incoming_packets = 0;
  std::uint64_t outgoing_packets = 0;
  std::uint64_t incoming_bytes = 0;
  std::uint64_t outgoing_bytes = 0;
};

struct IpvsBackend {
  std::string local_address;  // "" for a firewall-mark service
  std::uint16_t local_port = 0;
  std::string local_mark;     // the FWM service's mark as written ("00000064"), else ""
  std::string proto;          // TCP, UDP or FWM
  std::string remote_address;
  std::uint16_t remote_port = 0;
  std::uint64_t weight = 0;
  std::uint64_t active_connections = 0;
  std::uint64_t inactive_connections = 0;
};

Result<IpvsStats> ParseIpvsStats(std::string_view text);
Result<std::vector<IpvsBackend>> ParseIpvsBackends(std::string_view text);

// The --collector.ipvs.backend-labels value as node_exporter orders it; kInvalidArgument naming
// the unknown labels.
Result<std::vector<std::string>> ParseIpvsBackendLabels(std::string_view flag_value);

CollectorSpec MakeIpvsSpec();

}  // namespace buildfarm::exporter
