// The job shepherd: the process the agent forks for each job. It stays root (or the agent's user),
// joins the job's cgroup, and forks the job's shell, which drops to the job's identity before exec.
// Then it:
// - copies the shell's stdout and stderr (a pipe) into the log file the agent opened, so the job never
//   holds its log file and cannot truncate or rewrite it, nor open another job's;
// - waits for the shell and reports its wait status to the agent over a pipe, then exits;
// - when the agent dies (PR_SET_PDEATHSIG=SIGTERM, and its parent is no longer the agent), moves
//   itself out to the parent of the job cgroup root, kills the whole job cgroup (cgroup.kill, else every pid in
//   cgroup.procs), waits for it to empty, removes it (and the root, when it was the last), then
//   exits: kill -9 of the agent takes the job's grandchildren with it, setsid()ed ones included.
//   Without a cgroup it kills the job's process group only.
// A SIGTERM while the agent lives is the agent terminating the job's process group: the shepherd
// ignores it and keeps copying the log until the shell has gone.
//
// RunShepherd runs in the child of fork() in a multi-threaded process, so it uses async-signal-safe
// calls only, and everything it needs is prepared in ShepherdPlan before the fork.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace buildfarm::agent {

struct ShepherdPlan {
  pid_t agent_pid = 0;
  int log_fd = -1;                      // the job's log, opened for append by the agent
  int null_fd = -1;                     // the job's stdin
  int report_fd = -1;                   // write end of the report pipe (O_CLOEXEC)
  const char* cgroup_procs = nullptr;   // <job cgroup>/cgroup.procs; nullptr: no cgroup
  const char* cgroup_kill = nullptr;    // <job cgroup>/cgroup.kill
  const char* cgroup_events = nullptr;  // <job cgroup>/cgroup.events
  const char* cgroup_dir = nullptr;     // <job cgroup>
  const char* cgroup_root = nullptr;    // its parent, the agent's job cgroup root
  const char* outside_procs = nullptr;  // cgroup.procs of the root's parent, where the shepherd goes to kill
  const char* work_dir = nullptr;
  mode_t umask = 077;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
};

[[noreturn]] void RunShepherd(const ShepherdPlan& plan);

// The step of the job's set-up that failed (the job then never ran).
enum class SetupStep { kNone, kJoinCgroup, kPipe, kForkShell, kChdir, kSetgroups, kSetgid, kSetuid, kNoNewPrivs, kExec };

// What the shepherd reported, read by the agent once the shepherd has exited.
struct ShepherdReport {
  std::optional<int> shell_wait_status;  // the shell's status from waitpid
  SetupStep failed_step = SetupStep::kNone;
  int failed_errno = 0;
};

// Reads every record from the read end of the report pipe (non-blocking; all writers are gone).
ShepherdReport ReadShepherdReport(int report_read_fd);

}  // namespace buildfarm::agent
