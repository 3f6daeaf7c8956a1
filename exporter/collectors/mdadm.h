// mdadm collector: node_md_disks{device,state}, node_md_disks_required, node_md_state{device,state},
// node_md_blocks and node_md_blocks_synced from /proc/mdstat, as node_exporter 1.5 serves them.
//
// /proc/mdstat is loosely formatted, so ParseMdstat reproduces node_exporter's (procfs 0.8) reading
// rule by rule, including which malformed inputs fail the whole file, and never uses a backtracking
// regex engine (input is bounded only by the file cap). ParseMdstat is pure; the collector keeps
// only the file's path and is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct MdDevice {
  std::string name;
  // "active", "inactive", "recovering", "resyncing", "checking", or whatever word the device line
  // has third ("(auto-read-only)" ...), which then matches none of the exported states.
  std::string activity_state;
  std::int64_t disks_active = 0;
  std::int64_t disks_total = 0;
  std::int64_t disks_failed = 0;
  std::int64_t disks_spare = 0;
  std::int64_t disks_down = 0;
  std::int64_t blocks_total = 0;
  std::int64_t blocks_synced = 0;
};

Result<std::vector<MdDevice>> ParseMdstat(std::string_view text);

CollectorSpec MakeMdadmSpec();

}  // namespace buildfarm::exporter
