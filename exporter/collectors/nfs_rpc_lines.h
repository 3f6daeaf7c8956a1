// Splitting /proc/net/rpc/nfs and /proc/net/rpc/nfsd the way node_exporter's procfs library reads
// them (bufio.Scanner lines, strings.Fields words), shared by the nfs and nfsd parsers.
//
// The scanner's limits are part of the format node_exporter accepts: a line longer than 65535 bytes
// fails the whole file, a trailing '\r' is dropped, and every line needs a key and at least one
// value (so an empty line is an error). Pure and thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::exporter {

struct RpcStatLine {
  std::string_view key;                 // "net", "rpc", "proc3", ...
  std::vector<std::string_view> words;  // the words after the key, at least one
};

// `what` ("NFS", "NFSd") names the file in errors.
Result<std::vector<RpcStatLine>> SplitRpcStatLines(std::string_view text, std::string_view what);

// Each word as Go's strconv.ParseUint(word, 10, 64): decimal digits only, no sign, no overflow.
Result<std::vector<std::uint64_t>> ParseRpcValues(const std::vector<std::string_view>& words);

// A "procN" line: the first value counts the rest. The count must match and be at least
// `min_count`; returns the counted values (without the count).
Result<std::vector<std::uint64_t>> CountedRpcValues(const std::vector<std::uint64_t>& values, std::uint64_t min_count,
                                                    std::string_view line);

// A fixed-size line ("rpc", "net", ...): exactly N values.
template <std::size_t N>
Status CopyExactly(const std::vector<std::uint64_t>& values, std::array<std::uint64_t, N>& out, std::string_view key) {
  if (values.size() != N) {
    return ParseError(std::string(key) + " line has " + std::to_string(values.size()) + " values, want " +
                      std::to_string(N));
  }
  std::copy(values.begin(), values.end(), out.begin());
  return Status::Ok();
}

// A counted "procN" line into N slots: later values are ignored (procedures newer kernels append)
// and missing ones stay 0 (older kernels).
template <std::size_t N>
Status CopyCounted(const std::vector<std::uint64_t>& values, std::uint64_t min_count, std::array<std::uint64_t, N>& out,
                   std::string_view key) {
  auto counted = CountedRpcValues(values, min_count, key);
  if (!counted.ok()) return counted.status();
  out.fill(0);
  std::copy_n(counted->begin(), std::min(N, counted->size()), out.begin());
  return Status::Ok();
}

}  // namespace buildfarm::exporter
