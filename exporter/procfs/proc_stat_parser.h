// /proc/stat parsing shared by the cpu and stat collectors, and by anything that wants CPU usage
// (the status document computes busy percent from two ParseProcStat samples).
//
// ParseProcStat and CpuBusyPercent are pure functions over their arguments: stateless and
// thread-safe. The parser accepts what procfs (and so node_exporter 1.5) accepts, but insists on
// the lines every Linux kernel writes, so a truncated or garbled file is an error, not zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::exporter {

// The kernel reports CPU times in USER_HZ ticks, which is 100 on every Linux ABI.
inline constexpr double kUserHz = 100.0;

// One "cpu" line, in ticks. Columns a kernel does not write (older kernels) stay 0.
struct CpuTicks {
  std::uint64_t user = 0;
  std::uint64_t nice = 0;
  std::uint64_t system = 0;
  std::uint64_t idle = 0;
  std::uint64_t iowait = 0;
  std::uint64_t irq = 0;
  std::uint64_t softirq = 0;
  std::uint64_t steal = 0;
  std::uint64_t guest = 0;       // already included in user
  std::uint64_t guest_nice = 0;  // already included in nice
};

// The "softirq" line: total, then per vector in the kernel's order.
struct SoftirqCounts {
  std::uint64_t total = 0;
  std::uint64_t hi = 0;
  std::uint64_t timer = 0;
  std::uint64_t net_tx = 0;
  std::uint64_t net_rx = 0;
  std::uint64_t block = 0;
  std::uint64_t block_iopoll = 0;
  std::uint64_t tasklet = 0;
  std::uint64_t sched = 0;
  std::uint64_t hrtimer = 0;
  std::uint64_t rcu = 0;
};

struct ProcStat {
  CpuTicks total;  // the aggregate "cpu" line
  // Indexed by CPU id, like procfs: ids the file skips (offline CPUs) are present with zero times.
  std::vector<CpuTicks> cpus;
  std::uint64_t interrupts_total = 0;  // first number of "intr"
  std::uint64_t context_switches = 0;  // "ctxt"
  std::uint64_t boot_time = 0;         // "btime", seconds since the epoch
  std::uint64_t forks = 0;             // "processes"
  std::uint64_t procs_running = 0;
  std::uint64_t procs_blocked = 0;
  bool has_softirq = false;
  SoftirqCounts softirq;
  std::size_t total_columns = 0;  // numbers on the aggregate "cpu" line (10 since Linux 2.6.33)
  unsigned cpu_lines = 0;         // "cpuN" lines, i.e. online CPUs
};

// CPU ids above this are rejected as garbage (the kernel's NR_CPUS limit is 8192).
inline constexpr std::uint64_t kMaxCpuId = 65535;

// Which lines ParseProcStat insists on: all that every kernel writes (the collectors), or only the
// aggregate "cpu" line (the status document, which needs nothing else).
enum class ProcStatRequired { kAllLines, kCpuLine };

// Parses the whole of /proc/stat. Errors name the line and what was wrong with it.
Result<ProcStat> ParseProcStat(std::string_view text, ProcStatRequired required = ProcStatRequired::kAllLines);

// Percent of time the CPU was busy (not idle or iowait) between two samples of the same line, in
// [0, 100]. 0 when no time passed or the counters went backwards (a CPU was hot-plugged).
double CpuBusyPercent(const CpuTicks& before, const CpuTicks& after);

}  // namespace buildfarm::exporter
