// cpu collector: node_cpu_seconds_total{cpu,mode} and node_cpu_guest_seconds_total{cpu,mode} from
// /proc/stat, node_cpu_core_throttles_total / node_cpu_package_throttles_total from sysfs
// thermal_throttle, and node_cpu_isolated from /sys/devices/system/cpu/isolated, as node_exporter 1.5.
//
// Like node_exporter, the collector keeps the last counters per CPU so that exported times never go
// backwards (the kernel's iowait can), and resets a CPU when its idle time drops by 3 s or more
// (a hot-plug). That state is guarded by a mutex; Collect() is safe to call concurrently.
// The pure helpers live in proc_stat_parser.h (ParseProcStat, CpuBusyPercent) and here
// (ParseCpuList, MonotonicCpuTicks).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"
#include "exporter/procfs/proc_stat_parser.h"

namespace buildfarm::exporter {

// A sysfs CPU list such as "0-3,8,10-11\n" -> {0,1,2,3,8,10,11}; empty text -> {}.
Result<std::vector<std::uint64_t>> ParseCpuList(std::string_view text);

// node_exporter's counter smoothing: `previous` (the last exported ticks for one CPU) becomes the
// field-wise maximum of itself and `current`, except that an idle drop of 3 s or more starts over
// from `current`.
void MonotonicCpuTicks(CpuTicks& previous, const CpuTicks& current);

CollectorSpec MakeCpuSpec();

}  // namespace buildfarm::exporter
