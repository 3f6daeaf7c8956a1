// stat collector: node_boot_time_seconds, node_context_switches_total, node_forks_total,
// node_intr_total, node_procs_running and node_procs_blocked from /proc/stat, plus
// node_softirqs_total{vector} behind --collector.stat.softirq (off by default), as node_exporter 1.5.
//
// Parsing is ParseProcStat (proc_stat_parser.h). The collector holds no mutable state and is
// thread-safe.
#pragma once

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

CollectorSpec MakeStatSpec();

}  // namespace buildfarm::exporter
