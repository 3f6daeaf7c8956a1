// Job cgroups (cgroup v2): each job's processes live in a cgroup of their own, so that the agent (or the
// job's shepherd, when the agent is gone) can kill all of them at once, grandchildren that setsid()
// or double-fork away included. A process group cannot do that: leaving it takes one setsid().
//
// Layout: <root>/<job dir>, where <root> is `jobs.cgroup_root` when configured, else
// <v2 mount><the agent's own cgroup>/buildfarm-jobs/ws-<hash of the workspace path>. The hash keeps
// two agents on one host (with different workspaces) out of each other's cgroups, so the sweep at
// start-up only ever kills this agent's leftovers.
//
// Stateless functions, thread-safe; paths are injectable for tests.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"

namespace buildfarm::agent {

enum class CgroupMode { kAuto, kRequired, kOff };

// "auto" / "required" / "off"; anything else is an error naming the allowed values.
Result<CgroupMode> ParseCgroupMode(const std::string& text);

// The mount point of the cgroup2 file system in a /proc/self/mounts style file.
Result<std::string> FindCgroup2Mount(const std::string& mounts_path = "/proc/self/mounts");

// The v2 path ("0::<path>" line) of a /proc/<pid>/cgroup style file, e.g. "/system.slice/x.service".
Result<std::string> OwnCgroup2Path(const std::string& proc_cgroup_path = "/proc/self/cgroup");

// The directory under which this agent creates its job cgroups (created, and checked writable).
// `configured_root` wins when not empty; errors say why no writable cgroup v2 was found.
Result<std::string> PrepareJobCgroupRoot(const std::string& configured_root, const std::string& workspace,
                                         const std::string& mounts_path = "/proc/self/mounts",
                                         const std::string& proc_cgroup_path = "/proc/self/cgroup");

// Creates the job cgroup `dir`; an existing one (left by an earlier run) is emptied and reused.
Status CreateJobCgroup(const std::string& dir);

// The pids listed in <dir>/cgroup.procs (empty when unreadable).
std::vector<pid_t> CgroupPids(const std::string& dir);
// Whether any process is left in the cgroup (cgroup.events "populated 1").
bool CgroupPopulated(const std::string& dir);
// Sends `sig` to every process in the cgroup; SIGKILL uses cgroup.kill when the kernel has it.
void SignalCgroup(const std::string& dir, int sig);
// SIGKILLs what is left, waits (up to `wait_seconds`) for the cgroup to empty, and removes it.
Status RemoveJobCgroup(const std::string& dir, double wait_seconds = 5);

// The agent's start-up: the job cgroup root for `mode` (empty for off, or for auto without a writable
// cgroup v2, which logs a warning: jobs then run in process groups only), with the leftovers of an
// earlier run killed. `required` without a writable cgroup v2 is an error.
Result<std::string> SetUpJobCgroups(CgroupMode mode, const std::string& configured_root, const std::string& workspace,
                                    const Logger& log, const std::string& mounts_path = "/proc/self/mounts",
                                    const std::string& proc_cgroup_path = "/proc/self/cgroup");

// Kills and removes every job cgroup under `root` (left behind by an agent that was SIGKILLed and
// whose shepherds died too); returns how many it removed.
int SweepJobCgroups(const std::string& root);

}  // namespace buildfarm::agent
