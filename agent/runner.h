// JobProcess: runs one job's command as `/bin/sh -c <command>` through a shepherd process
// (job_shepherd.h), in its own process group and, when `cgroup_dir` is set, its own cgroup v2, with
// its stdout and stderr appended to a log file, and enforces its timeout.
//
// Isolation (set up in the child between fork and exec): the workspace is created mode 0700 and owned
// by the job's identity (job_identity.h) when one is given, the shell switches to that uid/gid with no
// supplementary groups and PR_SET_NO_NEW_PRIVS, and runs with `umask`. The log file is created by the
// agent, mode 0600, and only the shepherd writes to it: the job gets a pipe.
//
// The shepherd is the process group leader, so the shell and everything it spawns share the group.
// A timeout or Kill() sends SIGTERM to the group (and every process of the cgroup) and SIGKILL after
// the grace period (cgroup.kill when there is a cgroup: setsid() does not leave it). When the shell
// exits on its own, whatever it left running is SIGKILLed, so no job outlives its attempt; the
// cgroup is removed. Killed grandchildren are reaped by init; their zombies do not count as alive.
// If the agent is SIGKILLed, the shepherd kills the cgroup (see job_shepherd.h).
//
// Not thread-safe except Kill(), which may be called from any thread while another thread drives
// Poll(). The destructor kills and reaps a process that is still running.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/job_identity.h"
#include "agent/job_shepherd.h"
#include "common/status.h"

namespace buildfarm::agent {

struct RunSpec {
  std::string command;
  std::string work_dir;   // created if missing
  std::string log_path;   // opened for append; created if missing
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) the agent's own
  std::vector<std::string> unset_env;  // removed from the inherited environment (the agent's token)
  std::optional<JobIdentity> identity;  // switch to this uid/gid (the agent must be root); nullopt: no switch
  mode_t umask = 077;
  std::string cgroup_dir;  // the job's cgroup v2 directory, created by Start(); empty: process group only
  double timeout_seconds = 0;  // 0: none
  double kill_grace_seconds = 10;
};

struct RunOutcome {
  int exit_code = 0;         // the shell's exit status, or 128+signal when it was killed
  double duration_seconds = 0;
  bool timed_out = false;
  bool killed = false;       // Kill() was called (e.g. the attempt was superseded)
  std::string error;         // "timed out after 60s" on timeout; empty otherwise
};

class JobProcess {
 public:
  explicit JobProcess(RunSpec spec);
  ~JobProcess();
  JobProcess(const JobProcess&) = delete;
  JobProcess& operator=(const JobProcess&) = delete;

  // Forks the shepherd. Errors name the directory, log file or cgroup that could not be prepared; a
  // failure of the set-up in the child (e.g. setuid) becomes the outcome's error, and goes to the log.
  Status Start();
  // Advances the state machine (reaping, timeout, escalation to SIGKILL); returns the outcome once
  // the shell has exited and its process group is gone. Call it every few tens of milliseconds.
  std::optional<RunOutcome> Poll();
  // Blocks, polling, until the outcome is known.
  RunOutcome Wait();
  // Asks for the group to be terminated (SIGTERM now, SIGKILL after the grace period).
  void Kill() { kill_requested_ = true; }
  // The shepherd's pid, which is also the job's process group.
  pid_t pid() const { return pid_; }

 private:
  using Clock = std::chrono::steady_clock;
  void Signal(int sig);
  bool GroupAlive() const;
  bool JobAlive() const;
  RunOutcome MakeOutcome();

  RunSpec spec_;
  pid_t pid_ = -1;
  Clock::time_point started_;
  std::optional<Clock::time_point> term_sent_;  // when SIGTERM went to the group
  bool kill_sent_ = false;
  std::optional<int> wait_status_;              // set once the shepherd is reaped
  ShepherdReport report_;                       // read once the shepherd is reaped
  int report_fd_ = -1;                          // read end of the shepherd's report pipe
  double duration_seconds_ = 0;
  bool timed_out_ = false;
  std::atomic<bool> kill_requested_{false};
};

// "timed out after 60s" / "timed out after 1.5s".
std::string TimeoutMessage(double timeout_seconds);

}  // namespace buildfarm::agent
