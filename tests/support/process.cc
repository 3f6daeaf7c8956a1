#include "tests/support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace buildfarm::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  if (null_fd >= 0) dup2(null_fd, 0);
  setpgid(0, 0);
  execvp(args[0], args.data());
  _exit(127);
}

}  // namespace

std::string SourcePath(std::string_view relative) { return std::string(BUILDFARM_SOURCE_DIR) + "/" + std::string(relative); }
std::string BinaryPath(std::string_view relative) { return std::string(BUILDFARM_BINARY_DIR) + "/" + std::string(relative); }

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string RawHttpExchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
      write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return reply;
}

bool HaveProgram(std::string_view program) {
  std::string out;
  return RunCommand({"sh", "-c", "command -v " + std::string(program)}, &out, 10) == 0;
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path)
    : argv_(std::move(argv)), log_path_(std::move(log_path)) {
  if (log_path_.empty()) {
    std::filesystem::path dir = std::filesystem::path(BUILDFARM_BINARY_DIR) / "tmp";
    std::filesystem::create_directories(dir);
    static int counter = 0;
    std::string base = std::filesystem::path(argv_.empty() ? "process" : argv_[0]).filename().string();
    log_path_ = (dir / (base + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".log")).string();
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && exit_code_ < 0) Stop(SIGKILL, 5);
}

bool ChildProcess::Start(std::string* error) {
  pid_ = Spawn(argv_, log_path_);
  if (pid_ < 0) {
    *error = "fork failed";
    return false;
  }
  return true;
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || exit_code_ >= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = DecodeWaitStatus(status);
    return false;
  }
  return true;
}

std::optional<std::string> ChildProcess::WaitForLogLine(std::string_view needle, double timeout_seconds) {
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  for (;;) {
    std::istringstream lines(ReadWhole(log_path_));
    for (std::string line; std::getline(lines, line);) {
      if (line.find(needle) != std::string::npos) return line;
    }
    if (!Running() || Clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::optional<std::string> ChildProcess::WaitForListenAddress(double timeout_seconds) {
  auto line = WaitForLogLine("msg=listening address=", timeout_seconds);
  if (!line) return std::nullopt;
  auto start = line->find("address=") + 8;
  auto end = line->find(' ', start);
  return line->substr(start, end == std::string::npos ? std::string::npos : end - start);
}

int ChildProcess::Stop(int sig, double timeout_seconds) {
  if (pid_ <= 0) return -1;
  if (exit_code_ >= 0) return exit_code_;
  kill(pid_, sig);
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (Clock::now() < deadline) {
    if (!Running()) return exit_code_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_code_ = DecodeWaitStatus(status);
  return exit_code_;
}

std::string ChildProcess::Log() const { return ReadWhole(log_path_); }

int RunCommand(const std::vector<std::string>& argv, std::string* output, double timeout_seconds) {
  ChildProcess child(argv);
  std::string error;
  if (!child.Start(&error)) return -1;
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (child.Running() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int code = child.Stop(SIGKILL, 5);
  if (output != nullptr) *output = child.Log();
  std::filesystem::remove(child.log_path());
  return code;
}

}  // namespace buildfarm::testing
