// nfsd collector: the NFS server's statistics from /proc/net/rpc/nfsd as node_exporter 1.5 serves
// them: reply cache, stale file handles, disk bytes, threads, read-ahead cache, packets and
// connections, RPC errors, and node_nfsd_requests_total{proto,method} for NFS v2, v3 and the v4
// operations node_exporter names.
//
// ParseNfsdStats reproduces procfs's rules line by line: the th line's float histogram is ignored,
// unknown keys (such as wdeleg_getattr from kernels newer than node_exporter 1.5) and wrong value
// counts fail the whole file, as they do in node_exporter 1.5. It is pure; the collector keeps only
// the file's path and is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct NfsdStats {
  std::array<std::uint64_t, 3> reply_cache{};   // rc: hits, misses, nocache
  std::array<std::uint64_t, 5> file_handles{};  // fh: stale, ...
  std::array<std::uint64_t, 2> io{};            // io: read, write bytes
  std::array<std::uint64_t, 2> threads{};       // th: threads, times all were busy
  std::array<std::uint64_t, 12> read_ahead{};   // ra: size, 10 histogram buckets, not found
  std::array<std::uint64_t, 4> network{};       // net: packets, udp, tcp, tcp connections
  std::array<std::uint64_t, 5> rpc{};           // rpc: calls, bad, bad format, bad auth, bad client
  std::array<std::uint64_t, 18> v2{};
  std::array<std::uint64_t, 22> v3{};
  std::array<std::uint64_t, 2> v4{};            // proc4: null, compound
  std::array<std::uint64_t, 39> v4_ops{};       // proc4ops: operation 0 upwards; later ones are ignored
};

Result<NfsdStats> ParseNfsdStats(std::string_view text);

CollectorSpec MakeNfsdSpec();

}  // namespace buildfarm::exporter
