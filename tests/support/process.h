// Test helpers for running the project's binaries and peer programs (Prometheus, node_exporter...).
//
// ChildProcess starts a program with its stdout and stderr in a log file, can wait for a log line
// (such as buildfarm's "msg=listening address=127.0.0.1:PORT") or for the TCP port it listens on, and
// kills the program when it goes out of scope, so a failing test leaves nothing running.
//
// Ports are never picked by the test and handed to a server later: between the two another process can
// take the port, and the test then talks to a stranger. Our programs and the Go peers (Prometheus,
// Alertmanager, node_exporter) listen on 127.0.0.1:0, and the test reads the port the server bound, from
// its log or from /proc (WaitForListeningPort). A program that cannot bind port 0 (git daemon takes 0 for
// 9418), or whose port must go into another program's configuration before it starts (a farm's
// Prometheus), is started on a CandidateLoopbackPort; it counts as up only once /proc shows that very
// process listening on that port, and git daemon is retried on another port when its bind fails.
// Not thread-safe; one owner per process.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace buildfarm::testing {

class ChildProcess {
 public:
  // `log_path` receives stdout and stderr; empty means a file under the build tree's tmp/.
  explicit ChildProcess(std::vector<std::string> argv, std::string log_path = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the program; false with `error` set when it cannot be started.
  bool Start(std::string* error);
  bool Running();
  pid_t pid() const { return pid_; }

  // Polls the log until a line contains `needle`; returns that line, or nullopt after the timeout
  // or when the process has exited.
  std::optional<std::string> WaitForLogLine(std::string_view needle, double timeout_seconds);
  // The HOST:PORT of the first "msg=listening address=..." line.
  std::optional<std::string> WaitForListenAddress(double timeout_seconds = 15);
  // For a program started with a listen address of port 0 that does not log the port it got: polls
  // until the process (or a child of it) listens on exactly one TCP port, and returns that port;
  // nullopt after the timeout or when the process has exited.
  std::optional<int> WaitForListeningPort(double timeout_seconds = 30);

  // Sends `sig`, waits up to `timeout_seconds`, then SIGKILLs. Returns the exit code, or 128+signal.
  int Stop(int sig = 15, double timeout_seconds = 10);
  std::string Log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Runs a command to completion (killed after the timeout); stdout and stderr go to `output`.
// Returns the exit code, 128+signal, or -1 when it could not start.
int RunCommand(const std::vector<std::string>& argv, std::string* output, double timeout_seconds = 60);

// Path of a file in the source tree, e.g. SourcePath("tests/fixtures/proc").
std::string SourcePath(std::string_view relative);
// Path of a built program, e.g. BinaryPath("exporter/buildfarm-exporter").
std::string BinaryPath(std::string_view relative);
// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released). Only a candidate:
// anyone may take it before the program that is told to use it does, so the caller must check that its
// own process listens there (ListeningPorts) and try another candidate when the bind failed.
int CandidateLoopbackPort();
// TCP ports on which `pid` or one of its descendants listens (from /proc/PID/fd and /proc/net/tcp{,6}).
std::vector<int> ListeningPorts(pid_t pid);
// Direct children of `parent` (from /proc/*/stat).
std::vector<pid_t> ChildPids(pid_t parent);
// True when `pid` has no /proc entry or is a zombie waiting to be reaped (by a new parent): gone.
bool ProcessGone(pid_t pid);

// A port on 127.0.0.1 where connections are refused for as long as this object lives: the socket is
// bound, so nobody else can listen there, but never listens. For "the server is unreachable" tests.
class RefusedLoopbackPort {
 public:
  RefusedLoopbackPort();
  ~RefusedLoopbackPort();
  RefusedLoopbackPort(const RefusedLoopbackPort&) = delete;
  RefusedLoopbackPort& operator=(const RefusedLoopbackPort&) = delete;
  int port() const { return port_; }  // -1 when no socket could be bound

 private:
  int fd_ = -1;
  int port_ = -1;
};

// True when `program` is on PATH.
bool HaveProgram(std::string_view program);
// Sends `request` as is to 127.0.0.1:`port` (for requests an HTTP client will not send, such as a
// POST without Content-Length) and returns everything answered until the server closes; "" when the
// connection fails.
std::string RawHttpExchange(int port, const std::string& request);

}  // namespace buildfarm::testing
