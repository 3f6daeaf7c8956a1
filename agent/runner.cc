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

#include "agent/job_cgroup.h"

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
  for (const auto& [key, value] : extra) {
    std::string entry = key;
    entry += '=';
    entry += value;
    out.push_back(std::move(entry));
  }
  return out;
}

// Closes the descriptor when it goes out of scope (the child has its own copies after fork()).
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string SetupStepName(SetupStep step, const RunSpec& spec) {
  const std::string uid = spec.identity ? std::to_string(spec.identity->uid) : "", gid = spec.identity ? std::to_string(spec.identity->gid) : "";
  switch (step) {
    case SetupStep::kJoinCgroup: return "joining cgroup " + spec.cgroup_dir;
    case SetupStep::kPipe: return "creating the output pipe";
    case SetupStep::kForkShell: return "forking the shell";
    case SetupStep::kChdir: return "entering workspace " + spec.work_dir;
    case SetupStep::kSetgroups: return "setgroups(0) (clearing supplementary groups)";
    case SetupStep::kSetgid: return "setgid(" + gid + ")";
    case SetupStep::kSetuid: return "setuid(" + uid + ")";
    case SetupStep::kNoNewPrivs: return "prctl(PR_SET_NO_NEW_PRIVS)";
    case SetupStep::kExec: return "exec /bin/sh";
    case SetupStep::kNone: break;
  }
  return "set-up";
}

void AppendToLog(const std::string& path, const std::string& line) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  (void)!write(fd, line.data(), line.size());
  close(fd);
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
  if (!spec_.cgroup_dir.empty()) (void)RemoveJobCgroup(spec_.cgroup_dir);
  if (report_fd_ >= 0) close(report_fd_);
}

namespace {

// The workspace, mode 0700 and owned by the job's identity, so no other job (other uid) can enter it.
Status PrepareWorkspace(const std::string& dir, const std::optional<JobIdentity>& identity) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("workspace " + dir + ": " + ec.message());
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return IoError(Errno("workspace " + dir));
  bool ok = fchmod(fd, 0700) == 0 && (!identity || fchown(fd, identity->uid, identity->gid) == 0);
  Status status = ok ? Status::Ok() : IoError(Errno("workspace " + dir));
  close(fd);
  return status;
}

}  // namespace

Status JobProcess::Start() {
  BUILDFARM_RETURN_IF_ERROR(PrepareWorkspace(spec_.work_dir, spec_.identity));
  // Created by the agent, readable by the agent alone; the job writes into it only through the shepherd.
  UniqueFd log_fd(open(spec_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (log_fd.get() < 0) return IoError(Errno("log file " + spec_.log_path));
  UniqueFd null_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null_fd.get() < 0) return IoError(Errno("/dev/null"));
  int report[2];
  if (pipe2(report, O_CLOEXEC | O_NONBLOCK) != 0) return IoError(Errno("pipe"));
  report_fd_ = report[0];
  UniqueFd report_write(report[1]);
  if (!spec_.cgroup_dir.empty()) BUILDFARM_RETURN_IF_ERROR(CreateJobCgroup(spec_.cgroup_dir));
  // Everything the child needs is prepared before fork(): between fork and exec only
  // async-signal-safe calls are allowed, since the agent is multi-threaded.
  std::vector<std::string> env_strings = BuildEnvironment(spec_.env, spec_.unset_env);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh", dash_c = "-c", command = spec_.command;
  char* argv[] = {shell.data(), dash_c.data(), command.data(), nullptr};
  const bool in_cgroup = !spec_.cgroup_dir.empty();
  const std::string cgroup_procs = spec_.cgroup_dir + "/cgroup.procs", cgroup_kill = spec_.cgroup_dir + "/cgroup.kill",
                    cgroup_events = spec_.cgroup_dir + "/cgroup.events",
                    cgroup_root = std::filesystem::path(spec_.cgroup_dir).parent_path().string(),
                    outside_procs = std::filesystem::path(cgroup_root).parent_path().string() + "/cgroup.procs";
  auto cgroup_path = [&](const std::string& path) { return in_cgroup ? path.c_str() : nullptr; };
  ShepherdPlan plan{.agent_pid = getpid(), .log_fd = log_fd.get(), .null_fd = null_fd.get(), .report_fd = report[1],
                    .cgroup_procs = cgroup_path(cgroup_procs), .cgroup_kill = cgroup_path(cgroup_kill),
                    .cgroup_events = cgroup_path(cgroup_events), .cgroup_dir = cgroup_path(spec_.cgroup_dir),
                    .cgroup_root = cgroup_path(cgroup_root), .outside_procs = cgroup_path(outside_procs),
                    .work_dir = spec_.work_dir.c_str(), .umask = spec_.umask, .switch_user = spec_.identity.has_value(),
                    .uid = spec_.identity ? spec_.identity->uid : 0, .gid = spec_.identity ? spec_.identity->gid : 0,
                    .argv = argv, .envp = envp.data()};

  started_ = Clock::now();
  pid_t pid = fork();
  if (pid < 0) return IoError(Errno("fork"));
  // If the agent dies (kill -9, OOM), the shepherd kills the job instead of letting it finish an attempt
  // the scheduler will run again elsewhere. The forking thread waits for the job, so it outlives it.
  if (pid == 0) RunShepherd(plan);
  // Both sides set the group so that a signal sent right after fork() already reaches it.
  setpgid(pid, pid);
  pid_ = pid;
  return Status::Ok();
}

void JobProcess::Signal(int sig) {
  if (pid_ > 0) kill(-pid_, sig);
  if (pid_ > 0 && !spec_.cgroup_dir.empty()) SignalCgroup(spec_.cgroup_dir, sig);
}

bool JobProcess::JobAlive() const {
  if (!spec_.cgroup_dir.empty() && CgroupPopulated(spec_.cgroup_dir)) return true;
  return GroupAlive();
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
  if (!wait_status_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      wait_status_ = status;
      duration_seconds_ = seconds_since(started_);
      report_ = ReadShepherdReport(report_fd_);
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
  if (JobAlive() && !kill_sent_) {
    if (!term_sent_) {
      // The shell is done but left processes behind: they do not outlive the attempt.
      Signal(SIGKILL);
      kill_sent_ = true;
    } else {
      return std::nullopt;  // terminating: the grace period runs out first
    }
  }
  return MakeOutcome();
}

RunOutcome JobProcess::MakeOutcome() {
  RunOutcome outcome;
  // The shell's status when the shepherd saw it exit; else the shepherd's own (killed with the group).
  int status = report_.shell_wait_status.value_or(*wait_status_);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.duration_seconds = duration_seconds_;
  outcome.timed_out = timed_out_;
  outcome.killed = kill_requested_;
  if (timed_out_) outcome.error = TimeoutMessage(spec_.timeout_seconds);
  if (report_.failed_step != SetupStep::kNone) {
    outcome.exit_code = -1;
    outcome.error = "cannot start: " + SetupStepName(report_.failed_step, spec_) + ": " + std::strerror(report_.failed_errno);
    AppendToLog(spec_.log_path, "buildfarm-agent: " + outcome.error + "\n");
  }
  if (!spec_.cgroup_dir.empty()) {
    Status removed = RemoveJobCgroup(spec_.cgroup_dir);
    if (!removed.ok() && outcome.error.empty()) outcome.error = removed.message();
  }
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
