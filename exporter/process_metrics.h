// The exporter's own process_* metrics, with the names, HELP texts and meanings of the Prometheus Go
// client's process collector (which node_exporter serves): process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes, process_virtual_memory_max_bytes,
// process_open_fds, process_max_fds and process_start_time_seconds.
//
// They describe this process, so they are read from the real /proc/self whatever --path.procfs
// says (as the Go client does). The parsers are pure; AppendProcessMetrics keeps no state and is
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/metrics.h"

namespace buildfarm::exporter {

// The fields of /proc/<pid>/stat the process metrics need.
struct ProcSelfStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t start_ticks = 0;  // after boot
  std::uint64_t virtual_bytes = 0;
  std::uint64_t resident_pages = 0;
};

// "1234 (comm with ) and spaces) S 1 ..." -> the fields above; comm may hold any byte but NUL.
Result<ProcSelfStat> ParseProcSelfStat(std::string_view text);

// Soft limits from /proc/<pid>/limits; "unlimited" is 2^64-1, as the Go client reports it.
struct ProcLimits {
  std::uint64_t max_open_files = 0;
  std::uint64_t max_address_space = 0;
};

// Both "Max open files" and "Max address space" lines must be present.
Result<ProcLimits> ParseProcLimits(std::string_view text);

// Where the process metrics come from; tests point these at a fixture tree.
struct ProcessMetricsSource {
  std::string self_dir = "/proc/self";   // stat, limits, fd/
  std::string proc_stat = "/proc/stat";  // btime, for the start time
  double ticks_per_second = 0;           // 0: sysconf(_SC_CLK_TCK)
  double page_size = 0;                  // 0: sysconf(_SC_PAGESIZE)
};

// Appends the seven process_* families; a family whose source cannot be read is left out (and
// the error returned after the others are appended), like the Go client's partial collection.
Status AppendProcessMetrics(const ProcessMetricsSource& source, Families& out);

}  // namespace buildfarm::exporter
