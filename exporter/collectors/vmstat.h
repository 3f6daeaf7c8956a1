// vmstat collector: node_vmstat_<field> (untyped) for the /proc/vmstat fields that match
// --collector.vmstat.fields (node_exporter 1.5's default "^(oom_kill|pgpg|pswp|pg.*fault).*").
//
// ParseVmstat is pure; the collector's only state is the memoizing field filter, which is
// thread-safe, so Collect() may run concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

inline constexpr char kDefaultVmstatFields[] = "^(oom_kill|pgpg|pswp|pg.*fault).*";

struct VmstatField {
  std::string name;  // "pgfault"
  double value = 0;
};

// "name value" lines, in file order; blank lines are skipped and extra columns ignored, as
// node_exporter does. Errors name the line.
Result<std::vector<VmstatField>> ParseVmstat(std::string_view text);

CollectorSpec MakeVmstatSpec();

}  // namespace buildfarm::exporter
