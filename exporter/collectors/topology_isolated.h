// Runs a topology discovery in a short-lived child process and brings its result back over a pipe.
// hwloc is used once, at start, yet the pages it touches (its code, libudev's, the heap its topology
// object grew) would stay resident in the exporter for its lifetime: 440 KiB of a 10.8 MB process.
// Discovered in a child, none of that lands in the exporter (docs/PERFORMANCE.md, issue 12).
// The child is forked: call it while the process has few threads (collector creation at start);
// `discover` may take only locks that nothing but discoveries take (calls are serialised, so none is
// held at the fork). When fork fails, `discover` runs in process.
// Encode/DecodeTopology are the pipe's format, pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/collectors/topology.h"

namespace buildfarm::exporter {

// "ok\n" then one "key value" line per field, cpu_model last on its own line; or "error\n<message>".
std::string EncodeTopology(const Result<NodeTopology>& topology);

// The inverse; an error (kUnavailable) for an error record and for anything malformed or truncated.
Result<NodeTopology> DecodeTopology(std::string_view text);

// `discover` in a child process; its result, or kUnavailable when the child died without one.
Result<NodeTopology> DiscoverInChild(const std::function<Result<NodeTopology>()>& discover);

}  // namespace buildfarm::exporter
