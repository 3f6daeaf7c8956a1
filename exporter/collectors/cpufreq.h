// cpufreq collector: node_cpu_frequency_{,min_,max_}hertz and node_cpu_scaling_frequency_{,min_,max_}hertz
// {cpu} from /sys/devices/system/cpu/cpu[0-9]*/cpufreq, as node_exporter 1.5 serves them (1.5 has no
// node_cpu_scaling_governor; that came later).
//
// As in node_exporter 1.5, a frequency file that is missing or unreadable for permission is left
// out, one that is not a plain decimal number fails the scrape, and the string attributes
// (scaling_governor, scaling_driver, ...) must be readable although they are not exported. A CPU
// without a cpufreq directory is skipped; no CPU at all serves nothing. Values parse with
// ParseSysfsUint64 (exporter/procfs/sysfs_attribute.h); the collector holds only its directory path
// and is thread-safe.
#pragma once

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

CollectorSpec MakeCpufreqSpec();

}  // namespace buildfarm::exporter
