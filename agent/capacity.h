// Node capacity and built-in labels as the agent registers them.
//
// Cores are logical processors (hwloc PUs, what `make -j` would use) and memory the machine's total,
// both from hwloc with /proc as the fallback; disk is the total size of the workspace filesystem
// (statfs). Labels are os=linux and arch in Go's spelling (amd64, arm64...), the same names
// Prometheus and node_exporter use. Functions are thread-safe; they read the system each call.
#pragma once

#include <map>
#include <string>

#include "agent/protocol_client.h"

namespace buildfarm::agent {

Capacity DetectCapacity(const std::string& workspace);
std::map<std::string, std::string> BuiltinLabels();
// "x86_64" -> "amd64", "aarch64" -> "arm64", "i686" -> "386"; others unchanged.
std::string GoArch(const std::string& machine);

}  // namespace buildfarm::agent
