#include "agent/job_shepherd.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace buildfarm::agent {
namespace {

// One fixed-size record per message on the report pipe; writes this small are atomic.
struct Record {
  int kind;   // kShellStatus or kSetupFailed
  int value;  // the wait status, or the SetupStep
  int error;  // errno of the failed step
};
constexpr int kShellStatus = 1;
constexpr int kSetupFailed = 2;

void Report(int fd, int kind, int value, int error) {
  Record record{kind, value, error};
  while (write(fd, &record, sizeof record) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void Fail(const ShepherdPlan& plan, SetupStep step) {
  Report(plan.report_fd, kSetupFailed, static_cast<int>(step), errno);
  _exit(127);
}

void WriteAll(int fd, const char* data, ssize_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, static_cast<std::size_t>(size));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk loses output, not the job
    data += n;
    size -= n;
  }
}

bool WriteText(const char* path, const char* text, std::size_t size) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text, size) == static_cast<ssize_t>(size);
  int saved = errno;
  close(fd);
  errno = saved;
  return ok;
}

bool CgroupEmpty(const char* events_path) {
  int fd = open(events_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  char buffer[256];
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return true;
  buffer[n] = '\0';
  return std::strstr(buffer, "populated 0") != nullptr;
}

// Every pid listed in cgroup.procs gets SIGKILL, for kernels without cgroup.kill.
void KillListedPids(const char* procs_path) {
  int fd = open(procs_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buffer[4096];
  ssize_t n = read(fd, buffer, sizeof buffer);
  close(fd);
  long pid = 0;
  for (ssize_t i = 0; i < n; ++i) {
    if (buffer[i] >= '0' && buffer[i] <= '9') {
      pid = pid * 10 + (buffer[i] - '0');
    } else {
      if (pid > 0) kill(static_cast<pid_t>(pid), SIGKILL);
      pid = 0;
    }
  }
}

// The agent is gone: nothing of the job may outlive it. The shepherd leaves the job's cgroup (for the
// root's parent, so the root can go too) first, so that it survives the kill to wait for the cgroup to
// empty and remove it: nothing is left to sweep.
[[noreturn]] void KillJobAndExit(const ShepherdPlan& plan) {
  if (plan.cgroup_dir != nullptr && WriteText(plan.outside_procs, "0", 1)) {
    const timespec pause{0, 10L * 1000 * 1000};
    for (int round = 0; round < 500 && !CgroupEmpty(plan.cgroup_events); ++round) {  // about 5 s
      if (!WriteText(plan.cgroup_kill, "1", 1)) KillListedPids(plan.cgroup_procs);
      nanosleep(&pause, nullptr);
    }
    rmdir(plan.cgroup_dir);
    rmdir(plan.cgroup_root);  // fails while other jobs' cgroups are in it
    _exit(128 + SIGKILL);
  }
  if (plan.cgroup_kill != nullptr && !WriteText(plan.cgroup_kill, "1", 1)) KillListedPids(plan.cgroup_procs);
  kill(-getpid(), SIGKILL);  // the job's process group, this process included
  _exit(128 + SIGKILL);
}

[[noreturn]] void RunShell(const ShepherdPlan& plan, int output_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the shepherd is gone only when the job is being killed
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  dup2(plan.null_fd, 0);
  dup2(output_fd, 1);
  dup2(output_fd, 2);
  if (output_fd > 2) close(output_fd);
  // The workspace is entered before the switch, so its parents need not be searchable by the job.
  if (chdir(plan.work_dir) != 0) Fail(plan, SetupStep::kChdir);
  umask(plan.umask);
  if (plan.switch_user) {
    if (setgroups(0, nullptr) != 0) Fail(plan, SetupStep::kSetgroups);
    if (setgid(plan.gid) != 0) Fail(plan, SetupStep::kSetgid);
    if (setuid(plan.uid) != 0) Fail(plan, SetupStep::kSetuid);
    if (setuid(0) == 0) {  // the switch must be irreversible
      errno = EPERM;
      Fail(plan, SetupStep::kSetuid);
    }
  }
  // No setuid binary or file capability gives the job back what it was just denied.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail(plan, SetupStep::kNoNewPrivs);
  execve(plan.argv[0], plan.argv, plan.envp);
  Fail(plan, SetupStep::kExec);
}

}  // namespace

void RunShepherd(const ShepherdPlan& plan) {
  setpgid(0, 0);
  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGTERM);
  sigaddset(&handled, SIGCHLD);
  sigprocmask(SIG_SETMASK, &handled, nullptr);  // delivered through the signalfd below
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != plan.agent_pid) _exit(127);  // the agent died before the job started
  if (plan.cgroup_procs != nullptr && !WriteText(plan.cgroup_procs, "0", 1)) Fail(plan, SetupStep::kJoinCgroup);
  int output[2];
  if (pipe2(output, O_CLOEXEC) != 0) Fail(plan, SetupStep::kPipe);
  int signals = signalfd(-1, &handled, SFD_CLOEXEC);
  if (signals < 0) Fail(plan, SetupStep::kPipe);
  pid_t shell = fork();
  if (shell < 0) Fail(plan, SetupStep::kForkShell);
  if (shell == 0) RunShell(plan, output[1]);
  close(output[1]);

  bool output_open = true;
  char buffer[16384];
  for (;;) {
    pollfd fds[2] = {{signals, POLLIN, 0}, {output[0], POLLIN, 0}};
    if (poll(fds, output_open ? 2 : 1, -1) < 0) continue;  // EINTR
    if (output_open && fds[1].revents != 0) {
      ssize_t n = read(output[0], buffer, sizeof buffer);
      if (n > 0) {
        WriteAll(plan.log_fd, buffer, n);
      } else if (n == 0 || errno != EINTR) {
        output_open = false;  // every writer is gone
      }
    }
    if ((fds[0].revents & POLLIN) == 0) continue;
    signalfd_siginfo info;
    if (read(signals, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) continue;
    if (info.ssi_signo == SIGTERM && getppid() != plan.agent_pid) KillJobAndExit(plan);
    int status = 0;
    pid_t reaped = 0;
    while ((reaped = waitpid(-1, &status, WNOHANG)) > 0) {
      if (reaped != shell) continue;
      // What the shell wrote last is in the pipe; background processes may still write, so the drain is
      // bounded: the agent kills them next.
      fcntl(output[0], F_SETFL, O_NONBLOCK);
      for (int round = 0; output_open && round < 64; ++round) {
        ssize_t n = read(output[0], buffer, sizeof buffer);
        if (n <= 0) break;
        WriteAll(plan.log_fd, buffer, n);
      }
      Report(plan.report_fd, kShellStatus, status, 0);
      _exit(0);
    }
  }
}

ShepherdReport ReadShepherdReport(int report_read_fd) {
  ShepherdReport report;
  Record record{};
  while (read(report_read_fd, &record, sizeof record) == static_cast<ssize_t>(sizeof record)) {
    if (record.kind == kShellStatus) report.shell_wait_status = record.value;
    if (record.kind == kSetupFailed && report.failed_step == SetupStep::kNone) {
      report.failed_step = static_cast<SetupStep>(record.value);
      report.failed_errno = record.error;
    }
  }
  return report;
}

}  // namespace buildfarm::agent
