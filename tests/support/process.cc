#include "tests/support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/eventually.h"
#include "tests/support/raw_client.h"

namespace buildfarm::testing {
namespace {

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
  args.reserve(argv.size() + 1);
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

// A socket bound to 127.0.0.1 on a port the kernel chose (stored in `port`), not listening; -1 on failure.
int BindLoopbackPortZero(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

std::string SourcePath(std::string_view relative) { return std::string(BUILDFARM_SOURCE_DIR) + "/" + std::string(relative); }
std::string BinaryPath(std::string_view relative) { return std::string(BUILDFARM_BINARY_DIR) + "/" + std::string(relative); }

int CandidateLoopbackPort() {
  int port = -1;
  int fd = BindLoopbackPortZero(&port);
  if (fd >= 0) close(fd);
  return port;
}

RefusedLoopbackPort::RefusedLoopbackPort() { fd_ = BindLoopbackPortZero(&port_); }

RefusedLoopbackPort::~RefusedLoopbackPort() {
  if (fd_ >= 0) close(fd_);
}

bool ProcessGone(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat) || stat.empty()) return true;
  auto close_paren = stat.rfind(')');  // the command name may contain spaces and parentheses
  return close_paren != std::string::npos && stat.size() > close_paren + 2 && stat[close_paren + 2] == 'Z';
}

std::vector<pid_t> ChildPids(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string text = ReadWhole((entry.path() / "stat").string());
    auto close_paren = text.rfind(')');  // the command name may itself hold ") "
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(text.substr(close_paren + 2));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return children;
}

std::vector<int> ListeningPorts(pid_t pid) {
  // The socket inodes open in the process tree...
  std::set<std::string> inodes;
  std::vector<pid_t> tree{pid};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    for (pid_t child : ChildPids(tree[i])) tree.push_back(child);
    std::error_code ec;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(tree[i]) + "/fd", ec)) {
      std::error_code link_error;
      const std::string target = std::filesystem::read_symlink(fd.path(), link_error).string();
      if (!link_error && target.rfind("socket:[", 0) == 0) inodes.insert(target.substr(8, target.size() - 9));
    }
  }
  // ...that are TCP sockets in state LISTEN (0A); local_address is HEXADDR:HEXPORT.
  std::set<int> ports;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(ReadWhole(table));
    std::string line;
    std::getline(lines, line);  // the header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
      const auto colon = local.rfind(':');
      if (state != "0A" || colon == std::string::npos || inodes.count(inode) == 0) continue;
      ports.insert(static_cast<int>(std::stoul(local.substr(colon + 1), nullptr, 16)));
    }
  }
  return {ports.begin(), ports.end()};
}

std::string RawHttpExchange(int port, const std::string& request) {
  RawClient client(port);
  if (!client.connected() || !client.Send(request)) return "";
  return client.ReadAll(std::chrono::seconds(60));
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
  std::optional<std::string> found;
  auto find = [&] {
    std::istringstream lines(ReadWhole(log_path_));
    for (std::string line; std::getline(lines, line);) {
      if (line.find(needle) != std::string::npos) {
        found = line;
        return true;
      }
    }
    return false;
  };
  // Read before Running(), so that a line written just before the exit is still seen.
  PollUntil([&] { return find() || !Running(); }, timeout_seconds);
  return found;
}

std::optional<int> ChildProcess::WaitForListeningPort(double timeout_seconds) {
  std::vector<int> ports;
  const bool listening = PollUntil(
      [&] {
        ports = ListeningPorts(pid_);
        return ports.size() == 1 || !Running();
      },
      timeout_seconds).held;
  if (!listening || ports.size() != 1) return std::nullopt;
  return ports.front();
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
  if (PollUntil([&] { return !Running(); }, timeout_seconds).held) return exit_code_;
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
  PollUntil([&] { return !child.Running(); }, timeout_seconds);
  int code = child.Stop(SIGKILL, 5);
  if (output != nullptr) *output = child.Log();
  std::filesystem::remove(child.log_path());
  return code;
}

}  // namespace buildfarm::testing
