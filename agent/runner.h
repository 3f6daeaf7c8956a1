// JobProcess: runs one job's command as `/bin/sh -c <command>` in its own process group, with its
// stdout and stderr appended to a log file, and enforces its timeout.
//
// The shell is started with setsid(), so it and everything it spawns (grandchildren included) share
// one process group that can be signalled as a whole. A timeout or Kill() sends SIGTERM to the group
// and SIGKILL after the grace period. When the shell exits on its own, whatever it left running in
// the group is SIGKILLed, so no job outlives its attempt. Killed grandchildren are reaped by init;
// their zombies do not count as alive (checked in /proc). The agent is deliberately not a child
// subreaper: it would then have to reap the zombies of daemons that jobs detach into sessions of
// their own.
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

#include "common/status.h"

namespace buildfarm::agent {

struct RunSpec {
  std::string command;
  std::string work_dir;   // created if missing
  std::string log_path;   // opened for append; created if missing
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) the agent's own
  std::vector<std::string> unset_env;  // removed from the inherited environment (the agent's token)
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

  // Forks the shell. Errors name the directory or log file that could not be prepared.
  Status Start();
  // Advances the state machine (reaping, timeout, escalation to SIGKILL); returns the outcome once
  // the shell has exited and its process group is gone. Call it every few tens of milliseconds.
  std::optional<RunOutcome> Poll();
  // Blocks, polling, until the outcome is known.
  RunOutcome Wait();
  // Asks for the group to be terminated (SIGTERM now, SIGKILL after the grace period).
  void Kill() { kill_requested_ = true; }
  pid_t pid() const { return pid_; }

 private:
  using Clock = std::chrono::steady_clock;
  void Signal(int sig);
  bool GroupAlive() const;

  RunSpec spec_;
  pid_t pid_ = -1;
  Clock::time_point started_;
  std::optional<Clock::time_point> term_sent_;  // when SIGTERM went to the group
  bool kill_sent_ = false;
  std::optional<int> wait_status_;              // set once the shell is reaped
  double duration_seconds_ = 0;
  bool timed_out_ = false;
  std::atomic<bool> kill_requested_{false};
};

// "timed out after 60s" / "timed out after 1.5s".
std::string TimeoutMessage(double timeout_seconds);

}  // namespace buildfarm::agent
