#include "tests/support/git_repo.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace buildfarm::testing {
namespace {

bool PortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

}  // namespace

bool InitBareRepo(const std::string& path) {
  std::string out;
  return RunCommand({"git", "init", "--quiet", "--bare", path}, &out, 30) == 0;
}

std::optional<std::string> Git(const std::string& git_dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git", "--git-dir=" + git_dir};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string out;
  if (RunCommand(argv, &out, 60) != 0) return std::nullopt;
  return out;
}

std::optional<std::string> FileAtBranch(const std::string& git_dir, const std::string& branch, const std::string& path) {
  return Git(git_dir, {"show", branch + ":" + path});
}

int CommitCount(const std::string& git_dir, const std::string& branch) {
  auto out = Git(git_dir, {"rev-list", "--count", "refs/heads/" + branch});
  if (!out) return -1;
  return std::stoi(*out);
}

GitDaemon::GitDaemon(std::string base_path, int port) : base_path_(std::move(base_path)), port_(port) {}

GitDaemon::~GitDaemon() { Stop(); }

bool GitDaemon::Start(std::string* error) {
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
      "git", "daemon", "--export-all", "--enable=receive-pack", "--reuseaddr", "--base-path=" + base_path_,
      "--listen=127.0.0.1", "--port=" + std::to_string(port_), base_path_});
  if (!process_->Start(error)) return false;
  for (int i = 0; i < 200; ++i) {
    if (PortAccepts(port_)) return true;
    if (!process_->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = "git daemon did not listen on port " + std::to_string(port_) + ": " + process_->Log();
  return false;
}

void GitDaemon::Stop() {
  if (process_) process_->Stop();
  process_.reset();
}

std::string GitDaemon::Url(const std::string& repo_name) const {
  return "git://127.0.0.1:" + std::to_string(port_) + "/" + repo_name;
}

}  // namespace buildfarm::testing
