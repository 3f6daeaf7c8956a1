#include "tests/support/git_repo.h"

namespace buildfarm::testing {

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

GitDaemon::GitDaemon(std::string base_path) : base_path_(std::move(base_path)) {}

GitDaemon::~GitDaemon() { Stop(); }

bool GitDaemon::Start(std::string* error) {
  constexpr int kAttempts = 20;
  const bool restart = port_ > 0;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (!restart) port_ = CandidateLoopbackPort();
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "git", "daemon", "--export-all", "--enable=receive-pack", "--reuseaddr", "--base-path=" + base_path_,
        "--listen=127.0.0.1", "--port=" + std::to_string(port_), base_path_});
    if (!process_->Start(error)) return false;
    // Up when this daemon (`git` runs git-daemon as its child) listens on the port, not when the port
    // merely accepts: that could be whoever took the candidate first.
    const std::optional<int> listening = process_->WaitForListeningPort(30);
    if (listening == port_) return true;
    if (process_->Running()) break;  // up on no port or another: not a lost race
    // Exited: the port was taken between CandidateLoopbackPort() and the daemon's bind: try another.
    // On a restart the port is the one clients know; it may still be held by our last daemon's exit.
  }
  *error = "git daemon did not listen on 127.0.0.1:" + std::to_string(port_) + ": " + process_->Log();
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
