#include "exporter/publish_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <memory>
#include <utility>

#include "exporter/publish_frame.h"

namespace buildfarm::exporter {
namespace {

// The child's end of the socketpair; buildfarm-exporter-publish --serve-parent reads it from here.
constexpr int kChildSocketFd = 3;
// A document is built from /proc and /sys in milliseconds; a child that does not read it for this
// long is stuck.
constexpr double kSendTimeoutSeconds = 10;
// Serve() wakes this often with nothing to do; only to re-check Stop (the stop pipe wakes it anyway).
constexpr double kIdleWakeSeconds = 3600;

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%gs", seconds);
  return text;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "ended";
}

// Waits up to `seconds` for `pid` to exit; true when it did (it is not reaped).
bool WaitForExit(pid_t pid, double seconds) {
  // glibc 2.36 declares pidfd_open without C linkage for C++; the system call is the same.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd exited{pidfd, POLLIN, 0};
    int ready = poll(&exited, 1, static_cast<int>(seconds * 1000));
    close(pidfd);
    return ready > 0;
  }
  // Kernels before 5.3 have no pidfd: look every 10 ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      return true;
    }
    usleep(10000);
  }
  return false;
}

}  // namespace

PublishChild::PublishChild(PublishChildOptions options, DocumentFunction document, const Logger& log)
    : options_(std::move(options)), document_(std::move(document)), log_(log) {}

PublishChild::~PublishChild() {
  Stop();
  for (int fd : stop_pipe_) {
    if (fd >= 0) close(fd);
  }
}

Status PublishChild::Start() {
  if (options_.argv.empty()) return InvalidArgument("publish child: no program");
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) return IoError(std::string("pipe2: ") + std::strerror(errno));
  supervisor_ = std::thread([this] { Supervise(); });
  Phase phase;
  std::string failure;
  {
    MutexLock lock(mutex_);
    lock.WaitFor(phase_changed_, std::chrono::duration<double>(options_.ready_timeout_seconds),
                 [this]() REQUIRES(mutex_) { return phase_ != Phase::kStarting; });
    phase = phase_;
    failure = start_failure_;
  }
  if (phase == Phase::kReady) return Status::Ok();
  Stop();
  if (phase == Phase::kStarting) {
    return Unavailable(options_.argv[0] + " did not report in within " +
                       std::to_string(static_cast<int>(options_.ready_timeout_seconds)) + " s");
  }
  return Unavailable(failure);
}

void PublishChild::Stop() {
  {
    MutexLock lock(mutex_);
    phase_ = Phase::kStopping;
  }
  phase_changed_.notify_all();
  if (stop_pipe_[1] >= 0) {
    char byte = 0;
    (void)!write(stop_pipe_[1], &byte, 1);
  }
  if (supervisor_.joinable()) supervisor_.join();
}

bool PublishChild::Stopping() const {
  MutexLock lock(mutex_);
  return phase_ == Phase::kStopping;
}

void PublishChild::MarkReady() {
  {
    MutexLock lock(mutex_);
    if (phase_ == Phase::kStarting) phase_ = Phase::kReady;
  }
  phase_changed_.notify_all();
}

std::string PublishChild::metrics_text() const {
  MutexLock lock(mutex_);
  return metrics_text_;
}

std::uint64_t PublishChild::restarts() const {
  MutexLock lock(mutex_);
  return restarts_;
}

pid_t PublishChild::child_pid() const {
  MutexLock lock(mutex_);
  return child_pid_;
}

void PublishChild::AddMetrics(Families& out) const {
  AddSingle(out, "buildfarm_exporter_publish_restarts_total",
            "Times the git publishing child (buildfarm-exporter-publish) was started again after it ended.",
            kCounter, static_cast<double>(restarts()));
}

Result<PublishChild::Spawned> PublishChild::Spawn() {
  int sockets[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    return IoError(std::string("socketpair: ") + std::strerror(errno));
  }
  // Everything the child needs is prepared here: between fork and exec only async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& arg : options_.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    close(sockets[0]);
    close(sockets[1]);
    return IoError(std::string("fork: ") + std::strerror(error));
  }
  if (pid == 0) {
    // The daemon blocks SIGINT/SIGTERM in every thread and the mask survives exec: unblock them, or
    // neither Stop's SIGTERM nor the death signal would reach the child.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);  // the exporter died before prctl
    if (sockets[1] == kChildSocketFd) {
      fcntl(kChildSocketFd, F_SETFD, 0);
    } else if (dup2(sockets[1], kChildSocketFd) < 0) {
      _exit(127);
    }
    // The listeners and /proc files the exporter keeps open are not the child's business.
    close_range(kChildSocketFd + 1, ~0U, 0);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(sockets[1]);
  return Spawned{pid, sockets[0]};
}

Status PublishChild::Serve(FrameChannel& channel) {
  while (true) {
    auto frame = channel.Receive(kIdleWakeSeconds, stop_pipe_[0]);
    if (Stopping()) return Status::Ok();
    if (!frame.ok() && frame.status().code() == StatusCode::kTimeout) continue;
    if (!frame.ok()) return frame.status();
    switch (frame->type) {
      case FrameType::kDocumentRequest: {
        auto document = document_();
        Status sent = document.ok() ? channel.Send(FrameType::kDocument, *document, kSendTimeoutSeconds)
                                    : channel.Send(FrameType::kDocumentError, document.status().ToString(),
                                                   kSendTimeoutSeconds);
        if (!sent.ok()) return sent;
        break;
      }
      case FrameType::kMetrics: {
        Status valid = CheckPublishMetricsText(frame->payload);
        if (!valid.ok()) return valid;
        {
          MutexLock lock(mutex_);
          metrics_text_ = std::move(frame->payload);
        }
        child_reported_ = true;
        MarkReady();
        break;
      }
      default:
        return ParseError("frame type " + std::string(1, static_cast<char>(frame->type)) +
                          ": only the exporter sends it");
    }
  }
}

std::string PublishChild::StopProcess(pid_t pid) {
  kill(pid, SIGTERM);
  if (!WaitForExit(pid, options_.stop_timeout_seconds)) {
    log_.Warn("publish child did not stop; killing it",
              {{"pid", std::to_string(pid)}, {"timeout", Seconds(options_.stop_timeout_seconds)}});
    kill(pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return DescribeWaitStatus(status);
}

void PublishChild::Backoff(double seconds) {
  pollfd stop{stop_pipe_[0], POLLIN, 0};
  poll(&stop, 1, static_cast<int>(seconds * 1000));
}

void PublishChild::Supervise() {
  double backoff = options_.initial_backoff_seconds;
  while (!Stopping()) {
    auto spawned = Spawn();
    std::string why;
    bool reported = false;
    if (!spawned.ok()) {
      why = spawned.status().ToString();
    } else {
      {
        MutexLock lock(mutex_);
        child_pid_ = spawned->pid;
      }
      log_.Info("publish child started", {{"pid", std::to_string(spawned->pid)}, {"program", options_.argv[0]}});
      child_reported_ = false;
      Status served;
      {
        FrameChannel channel(spawned->parent_fd);  // closed before the child is stopped: EOF tells it too
        served = Serve(channel);
      }
      reported = child_reported_;
      const std::string ended = StopProcess(spawned->pid);
      {
        MutexLock lock(mutex_);
        child_pid_ = 0;
      }
      if (Stopping()) {
        log_.Info("publish child stopped", {{"pid", std::to_string(spawned->pid)}, {"how", ended}});
        return;
      }
      why = served.ToString() + "; child " + ended;
    }
    bool failed_to_start = false;
    {
      MutexLock lock(mutex_);
      if (phase_ == Phase::kStarting) {
        phase_ = Phase::kFailedToStart;
        start_failure_ = "publish child " + options_.argv[0] + ": " + why;
        failed_to_start = true;
      } else {
        ++restarts_;
      }
    }
    if (failed_to_start) {
      phase_changed_.notify_all();
      return;
    }
    if (reported) backoff = options_.initial_backoff_seconds;
    log_.Error("publish child ended; restarting it",
               {{"reason", why}, {"backoff", Seconds(backoff)}});
    Backoff(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff_seconds);
  }
}

}  // namespace buildfarm::exporter
