// Test helpers around the git program: bare repositories to publish into, reading them back, and a
// real `git daemon` on loopback serving them over git://.
//
// Tests may use the git program to set up and inspect repositories; the code under test (the
// publisher) never does. GitDaemon stops its daemon when it goes out of scope. Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace buildfarm::testing {

// `git init --bare` at `path`; false on failure.
bool InitBareRepo(const std::string& path);
// Runs git with `args` against the repository at `git_dir`; nullopt when git fails.
std::optional<std::string> Git(const std::string& git_dir, const std::vector<std::string>& args);
// The file's content at the branch head, nullopt when absent.
std::optional<std::string> FileAtBranch(const std::string& git_dir, const std::string& branch, const std::string& path);
// Commits reachable from the branch; -1 when the branch does not exist.
int CommitCount(const std::string& git_dir, const std::string& branch);

class GitDaemon {
 public:
  // Serves every repository under `base_path` (export-all, receive-pack enabled) on 127.0.0.1.
  explicit GitDaemon(std::string base_path);
  ~GitDaemon();
  // Starts and waits until this daemon listens. git daemon reads --port=0 as 9418, so the first start
  // takes a CandidateLoopbackPort, and another one when the daemon exits because someone else took it
  // first. A start after Stop() serves the same port again, so that clients' URLs stay valid.
  bool Start(std::string* error);
  void Stop();
  int port() const { return port_; }  // valid after Start()
  // git://127.0.0.1:PORT/<name>
  std::string Url(const std::string& repo_name) const;

 private:
  std::string base_path_;
  int port_ = -1;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace buildfarm::testing
