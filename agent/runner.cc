#include "agent/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace buildfarm::agent {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// The agent's environment without `unset`, with `extra` added; a key in `extra` replaces the inherited one.
std::vector<std::string> BuildEnvironment(const std::vector<std::pair<std::string, std::string>>& extra,
                                          const std::vector<std::string>& unset) {
  std::set<std::string> replaced(unset.begin(), unset.end());
  for (const auto& [key, value] : extra) replaced.insert(key);
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto eq = text.find('=');
    if (eq != std::string_view::npos && replaced.count(std::string(text.substr(0, eq)))) continue;
    out.emplace_back(text);
  }
  for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
  return out;
}

}  // namespace

std::string TimeoutMessage(double timeout_seconds) {
  std::ostringstream out;
  out << "timed out after " << timeout_seconds << "s";
  return out.str();
}

JobProcess::JobProcess(RunSpec spec) : spec_(std::move(spec)) {}

JobProcess::~JobProcess() {
  if (pid_ > 0 && !wait_status_) {
    Signal(SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Status JobProcess::Start() {
  std::error_code ec;
  std::filesystem::create_directories(spec_.work_dir, ec);
  if (ec) return IoError("workspace " + spec_.work_dir + ": " + ec.message());
  int log_fd = open(spec_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return IoError(Errno("log file " + spec_.log_path));
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    close(log_fd);
    return IoError(Errno("/dev/null"));
  }
  // Everything the child needs is prepared before fork(): between fork and exec only
  // async-signal-safe calls are allowed, since the agent is multi-threaded.
  std::vector<std::string> env_strings = BuildEnvironment(spec_.env, spec_.unset_env);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh", dash_c = "-c", command = spec_.command;
  char* argv[] = {shell.data(), dash_c.data(), command.data(), nullptr};
  const char* dir = spec_.work_dir.c_str();

  started_ = Clock::now();
  pid_t agent_pid = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    close(null_fd);
    return IoError(Errno("fork"));
  }
  if (pid == 0) {
    setpgid(0, 0);
    // If the agent dies (kill -9, OOM), the job's shell dies with it instead of finishing an attempt
    // the scheduler will run again elsewhere. The forking thread waits for the job, so it outlives it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != agent_pid) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // the agent blocks SIGTERM/SIGINT for sigwait
    signal(SIGPIPE, SIG_DFL);
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    if (chdir(dir) != 0) _exit(127);
    execve("/bin/sh", argv, envp.data());
    _exit(127);
  }
  // Both sides set the group so that a signal sent right after fork() already reaches it.
  setpgid(pid, pid);
  pid_ = pid;
  close(log_fd);
  close(null_fd);
  return Status::Ok();
}

void JobProcess::Signal(int sig) {
  if (pid_ > 0) kill(-pid_, sig);
}

bool JobProcess::GroupAlive() const {
  if (pid_ <= 0 || (kill(-pid_, 0) != 0 && errno != EPERM)) return false;
  // kill() also reaches zombies that init has not reaped yet; only a member that still runs counts.
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return true;
  bool alive = false;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buffer[512];
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) continue;
    std::string_view stat(buffer, static_cast<std::size_t>(n));
    auto paren = stat.rfind(')');  // the command name may contain spaces and parentheses
    if (paren == std::string_view::npos || paren + 4 >= stat.size()) continue;
    char state = stat[paren + 2];
    // Fields after the state: ppid, pgrp.
    auto fields = stat.substr(paren + 4);
    auto space = fields.find(' ');
    if (space == std::string_view::npos) continue;
    long pgrp = std::strtol(std::string(fields.substr(space + 1, 20)).c_str(), nullptr, 10);
    if (pgrp == pid_ && state != 'Z' && state != 'X') {
      alive = true;
      break;
    }
  }
  closedir(proc);
  return alive;
}

std::optional<RunOutcome> JobProcess::Poll() {
  if (pid_ <= 0) return std::nullopt;
  auto now = Clock::now();
  auto seconds_since = [&](Clock::time_point t) { return std::chrono::duration<double>(now - t).count(); };
  // Reaps the shell (and any group member that is this process's child).
  for (;;) {
    int status = 0;
    pid_t reaped = waitpid(-pid_, &status, WNOHANG);
    if (reaped <= 0) break;
    if (reaped == pid_) {
      wait_status_ = status;
      duration_seconds_ = seconds_since(started_);
    }
  }
  if (!term_sent_ && kill_requested_) {
    Signal(SIGTERM);
    term_sent_ = now;
  }
  if (!term_sent_ && !wait_status_ && spec_.timeout_seconds > 0 && seconds_since(started_) >= spec_.timeout_seconds) {
    timed_out_ = true;
    Signal(SIGTERM);
    term_sent_ = now;
  }
  if (term_sent_ && !kill_sent_ && seconds_since(*term_sent_) >= spec_.kill_grace_seconds) {
    Signal(SIGKILL);
    kill_sent_ = true;
  }
  if (!wait_status_) return std::nullopt;
  if (GroupAlive() && !kill_sent_) {
    if (!term_sent_) {
      // The shell is done but left processes behind: they do not outlive the attempt.
      Signal(SIGKILL);
      kill_sent_ = true;
    } else {
      return std::nullopt;  // terminating: the grace period runs out first
    }
  }
  RunOutcome outcome;
  int status = *wait_status_;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.duration_seconds = duration_seconds_;
  outcome.timed_out = timed_out_;
  outcome.killed = kill_requested_;
  if (timed_out_) outcome.error = TimeoutMessage(spec_.timeout_seconds);
  return outcome;
}

RunOutcome JobProcess::Wait() {
  if (pid_ <= 0) return RunOutcome{.exit_code = -1, .error = "not started"};
  for (;;) {
    if (auto outcome = Poll()) return *outcome;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace buildfarm::agent
