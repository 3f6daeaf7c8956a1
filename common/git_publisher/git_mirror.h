// GitMirror: the publisher's libgit2 adapter around a bare local mirror of one remote branch.
//
// Internal to buildfarm::git_publisher. It fetches the branch, reads files from a commit, builds trees
// from blobs directly (never an on-disk index, so no index.lock is ever taken), writes commits and
// pushes them with the checks libgit2 does not make by itself (DESIGN.md "libgit2 pushes that fail
// quietly"):
//   - a failed ref update reported only through push_update_reference counts as a rejection even when
//     git_remote_push returned 0;
//   - an optional lease: push_negotiation compares the remote's old id with the expected one;
//   - the credential callback is counted and answers GIT_EAUTH after max_credential_calls.
// Every libgit2 failure becomes a Status: kUnauthenticated (GIT_EAUTH), kUnavailable (network / the
// remote), kInternal otherwise. Not thread-safe: one thread at a time (the Publisher serializes).
#pragma once

#include <git2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace buildfarm::git_publisher {

struct RemoteAccess {
  std::string url;
  std::string branch;
  std::string ssh_key_path;        // empty: the SSH agent
  std::string token_env = "GITHUB_TOKEN";
  int max_credential_calls = 3;
};

enum class PushOutcome { kPushed, kRejected };

struct PushResult {
  PushOutcome outcome = PushOutcome::kPushed;
  std::string detail;  // why it was rejected: "non-fast-forward", the server's ref status, "lease"
};

class GitMirror {
 public:
  // Opens (creating when needed) a bare repository at `dir`.
  static Result<std::unique_ptr<GitMirror>> Open(const std::string& dir, RemoteAccess access);
  ~GitMirror();
  GitMirror(const GitMirror&) = delete;
  GitMirror& operator=(const GitMirror&) = delete;

  // Fetches the branch; its head, or nullopt when the remote has no such branch yet.
  Result<std::optional<git_oid>> FetchHead();
  // The head this mirror last pushed or fetched when there is one (it is forgotten on every use, so a
  // rejected push fetches next time); otherwise FetchHead().
  Result<std::optional<git_oid>> KnownOrFetchedHead();
  // The file's content in `commit`, nullopt when absent.
  Result<std::optional<std::string>> ReadFile(const git_oid& commit, const std::string& path);
  // The tree of `base` (empty when null) with each path set to its content.
  Result<git_oid> BuildTree(const git_oid* base, const std::map<std::string, std::string>& files);
  // Commits on the first-parent chain from `commit`, counting at most `limit`.
  Result<int> ChainLength(const git_oid& commit, int limit);
  Result<git_oid> Commit(const git_oid& tree, const git_oid* parent, const std::string& author_name,
                         const std::string& author_email, const std::string& message);
  // Pushes `commit` to the branch. `expected_remote` is the lease (nullopt: the branch must not
  // exist); `force` allows a non-fast-forward update (only ever together with the lease).
  Result<PushResult> Push(const git_oid& commit, const std::optional<git_oid>& expected_remote, bool force);
  // Removes lock files in the mirror older than `max_age_seconds`; returns their names.
  std::vector<std::string> RemoveStaleLocks(double max_age_seconds);

  // Bytes under objects/ (loose objects and packs fetched or written so far).
  std::uint64_t ObjectBytes() const;

  int credential_calls() const { return credential_calls_; }
  const std::string& dir() const { return dir_; }

 private:
  GitMirror(std::string dir, RemoteAccess access, git_repository* repo)
      : dir_(std::move(dir)), access_(std::move(access)), repo_(repo) {}
  Result<git_remote*> NewRemote();

  std::string dir_;
  RemoteAccess access_;
  git_repository* repo_;
  int credential_calls_ = 0;
  // Outer nullopt: unknown; inner nullopt: the branch did not exist.
  std::optional<std::optional<git_oid>> known_head_;  // over the mirror's life; each operation gets max_credential_calls
};

// "git_remote_push: <libgit2 message>" as a Status with the code that fits `error`.
Status GitFailure(std::string_view what, int error);

}  // namespace buildfarm::git_publisher
