// nfs collector: the NFS client's RPC statistics from /proc/net/rpc/nfs as node_exporter 1.5 serves
// them: node_nfs_packets_total{protocol}, node_nfs_connections_total, node_nfs_rpcs_total,
// node_nfs_rpc_retransmissions_total, node_nfs_rpc_authentication_refreshes_total and
// node_nfs_requests_total{proto,method} for NFS v2, v3 and v4 (every procedure, zero when the kernel
// lacks the line).
//
// ParseNfsClientStats reproduces procfs's rules line by line (including which malformed files fail
// as a whole: unknown keys, wrong value counts, non-decimal values, over-long lines). It is pure; the
// collector keeps only the file's path and is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct NfsClientStats {
  std::array<std::uint64_t, 4> network{};  // net: packets, udp, tcp, tcp connections
  std::array<std::uint64_t, 3> rpc{};      // rpc: calls, retransmissions, authentication refreshes
  std::array<std::uint64_t, 18> v2{};      // procedures in NfsV2ProcedureNames() order
  std::array<std::uint64_t, 22> v3{};
  std::array<std::uint64_t, 59> v4{};      // shorter proc4 lines (older kernels) leave the rest 0
};

// The Go field names node_exporter serves as the method label, in /proc order.
const std::array<std::string_view, 18>& NfsV2ProcedureNames();
const std::array<std::string_view, 22>& NfsV3ProcedureNames();

Result<NfsClientStats> ParseNfsClientStats(std::string_view text);

CollectorSpec MakeNfsSpec();

}  // namespace buildfarm::exporter
