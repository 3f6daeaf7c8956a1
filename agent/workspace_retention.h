// Workspace retention: deletes finished jobs' workspaces (<workspace>/<job>-<attempt>/) and log files
// (<workspace>/<job>-<attempt>.log) once they are older than `jobs.workspace_retention` (default 24h)
// and `jobs.log_retention` (default 7d). An entry's age is that of its log file's last write (the end
// of the attempt), else of the entry itself. Running attempts are never touched, and nothing that is
// not a job's workspace or log (the result spool, a spool moved aside) is.
//
// Retention 0 means "delete right after the attempt reports": the agent removes the attempt's files
// when its job thread ends; the sweep only catches what that missed.
//
// Stateless and thread-safe; the agent runs SweepWorkspaces on a PeriodicTask.
#pragma once

#include <chrono>
#include <set>
#include <string>

namespace buildfarm::agent {

inline constexpr double kDefaultWorkspaceRetentionSeconds = 24 * 3600;
inline constexpr double kDefaultLogRetentionSeconds = 7 * 24 * 3600;

struct RetentionPolicy {
  double workspace_seconds = kDefaultWorkspaceRetentionSeconds;
  double log_seconds = kDefaultLogRetentionSeconds;
};

struct SweepCounts {
  int workspaces = 0;
  int logs = 0;
};

// `running` holds the directory names (AttemptDirName) of the attempts that run; entries written
// after `now` minus a margin are kept too, since an attempt may start while the sweep runs.
SweepCounts SweepWorkspaces(const std::string& root, const RetentionPolicy& policy, const std::set<std::string>& running,
                            std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Removes one attempt's workspace and log (retention 0). Errors are ignored: the sweep retries.
void RemoveAttemptFiles(const std::string& root, const std::string& name, const RetentionPolicy& policy);

// How often the sweep runs: a quarter of the shorter retention, between 1 s and 10 min.
double SweepIntervalSeconds(const RetentionPolicy& policy);

}  // namespace buildfarm::agent
