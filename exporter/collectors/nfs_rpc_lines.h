// Splitting /proc/net/rpc/nfs and /proc/net/rpc/nfsd the way node_exporter's procfs library reads
// them (bufio.Scanner lines, strings.Fields words), shared by the nfs and nfsd parsers.
//
// The scanner's limits are part of the format node_exporter accepts: a line longer than 65535 bytes
// fails the whole file, a trailing '\r' is dropped, and every line needs a key and at least one
// value (so an empty line is an error). Pure and thread-safe.
#pragma once

#include <cstdint>
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

}  // namespace buildfarm::exporter
