// Where a failed node's work goes: its configured backup when that is healthy, else the pool.
//
// A backup is either a node name ("build2") or a pool label ("pool=fast"): for a label, the healthiest
// ready node carrying it is chosen (fewest active jobs, then lowest CPU utilisation, then name), never
// the failed node itself. Pure function; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace buildfarm::scheduler {

struct BackupCandidate {
  std::string name;
  std::map<std::string, std::string> labels;
  bool healthy = false;  // ready (not down, cordoned or draining) and heartbeats within the lease
  int active_jobs = 0;
  std::optional<double> cpu_utilisation;
};

// True when `backup` has the "key=value" form of a pool label.
bool IsPoolLabel(std::string_view backup);

// The node to send `source`'s work to, or "" for the pool (no backup configured, or none healthy).
std::string ChooseBackup(std::string_view source, std::string_view backup,
                         const std::vector<BackupCandidate>& candidates);

}  // namespace buildfarm::scheduler
