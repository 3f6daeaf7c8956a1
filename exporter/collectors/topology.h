// topology collector: the node's CPU and memory topology, which the scheduler uses as capacity.
//
//   buildfarm_node_topology_info{source,cpu_model} 1   source is "hwloc" or "procfs"
//   buildfarm_node_topology_{packages,cores,processing_units,numa_nodes}
//   buildfarm_node_topology_memory_bytes                MemTotal from <procfs>/meminfo (hwloc's sum
//                                                       of NUMA node memory when meminfo is unreadable)
//   buildfarm_node_topology_cache_bytes{level,type}     size of one cache instance
//   buildfarm_node_topology_caches{level,type}          number of such instances
//
// Topology never changes while the process runs, so it is discovered once in create() and every
// scrape serves the cached families: Collect() only copies immutable data and is thread-safe.
//
// Where it reads from. hwloc 2.9 has no API to move its Linux backend to another sysfs; its only
// seam is the HWLOC_FSROOT environment variable, a directory that must contain both sys/ and proc/.
// So:
//   - --path.sysfs=/sys and --path.procfs=/proc: hwloc reads the host as usual;
//   - both are siblings named sys and proc under one parent (/host/sys, /host/proc, or the test
//     fixture tree): HWLOC_FSROOT is set to that parent while the topology loads, and hwloc's x86
//     (cpuid) backend is switched off so that nothing of the real machine leaks into the result;
//   - any other layout, a missing <sysfs>/devices/system/cpu, or a topology that hwloc did not get
//     from its Linux backend: the collector falls back to parsing <procfs>/cpuinfo and
//     <procfs>/meminfo (source="procfs"; no NUMA or cache detail there, so numa_nodes is 1 and no
//     cache series are exported).
// hwloc runs in a short-lived child process (topology_isolated.h), so that its pages and heap never
// count in the exporter's RSS; there the environment variable is set and restored under a mutex
// during create(), which runs at startup before the server's threads exist.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct CpuinfoSummary {
  unsigned processing_units = 0;  // "processor" entries
  unsigned packages = 0;          // distinct "physical id" (1 when absent)
  unsigned cores = 0;             // distinct (physical id, core id) (= processing_units when absent)
  std::string cpu_model;          // first "model name" (or "Processor"/"cpu model" on other arches)
};

// Parses /proc/cpuinfo; an error when no "processor" entry is found or an id is not a number.
Result<CpuinfoSummary> ParseCpuinfo(std::string_view text);

// "MemTotal:  16318612 kB" in /proc/meminfo -> bytes; an error when absent or malformed.
Result<std::uint64_t> ParseMemTotalBytes(std::string_view meminfo);

struct CacheSummary {
  unsigned level = 0;
  std::string type;  // "data", "instruction" or "unified"
  std::uint64_t size_bytes = 0;
  unsigned count = 0;
};

struct NodeTopology {
  std::string source;  // "hwloc" or "procfs"
  std::string cpu_model;
  unsigned packages = 0;
  unsigned cores = 0;
  unsigned processing_units = 0;
  unsigned numa_nodes = 0;
  std::uint64_t memory_bytes = 0;  // 0 when unknown (then not exported)
  std::vector<CacheSummary> caches;
};

// Discovers the topology as described above; an error only when neither source works (the collector
// then fails every scrape rather than the startup).
Result<NodeTopology> DiscoverTopology(const HostPaths& paths, const Logger& log);

CollectorSpec MakeTopologySpec();

}  // namespace buildfarm::exporter
