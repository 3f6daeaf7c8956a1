// Publisher: publishes files (path -> bytes) to one branch of a git repository, through libgit2.
//
// Feed it with Stage(path, bytes) and call Flush() periodically:
//
//   PublisherOptions options;
//   options.remote_url = "git://git.example/farm.git";   // or https://, ssh://, file://
//   options.branch = "status";
//   options.state_dir = "/var/lib/buildfarm/publish";     // the bare local mirror lives here
//   auto publisher = Publisher::Open(options, log, &metrics);
//   (*publisher)->Stage("nodes/build1/status.json", document);
//   Status flushed = (*publisher)->Flush();
//
// - Stage keeps only the latest content per path, in a map bounded by max_pending_paths; it refuses a
//   document in which the secret guard finds a likely secret (kPermissionDenied naming the reason,
//   never the secret; one log line with reason and path; buildfarm_publish_refused_total{reason}).
// - Flush fetches the branch (or, first, trusts the head it pushed last; a lease catches a moved
//   remote), builds ONE commit from blobs and trees (no index, no working copy) with
//   the staged files that changed (ContentChanged: timestamp-only changes do not count, except for
//   heartbeat_paths), and pushes it. A rejected push (non-fast-forward, a ref status from the server,
//   or a broken lease) is rebuilt on the new remote head and retried with jittered exponential
//   backoff, attempts_per_round times; after that the files stay staged for the next Flush. When the
//   remote is unreachable Flush returns kUnavailable and keeps the latest state per path.
// - Bounded history (history_limit N > 0): the branch never holds more than N commits; when a new
//   commit would make the chain longer, it is an orphan snapshot (the whole tree, no parent), pushed
//   with force and a lease on the expected old head. Use a dedicated branch for that.
// - Credentials: GITHUB_TOKEN (token_env) as x-access-token over HTTPS, or an SSH key / the agent;
//   the credential callback gives up with GIT_EAUTH after max_credential_calls per operation.
// - Lock files (*.lock) older than stale_lock_seconds in the mirror are removed before each flush.
// - The mirror is a cache: past max_mirror_bytes it is deleted and fetched again.
//
// Thread safety: Stage, Flush, pending_count and stats may be called from any thread. Stage only takes
// the pending map's mutex, so it never waits for the network; Flush calls are serialized with each
// other (a second caller waits). Files staged during a Flush are kept for the next one unless they
// were the content that was pushed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "common/git_publisher/publish_metrics.h"
#include "common/log.h"
#include "common/mutex.h"
#include "common/status.h"

namespace buildfarm::git_publisher {

class GitMirror;

struct PublisherOptions {
  std::string remote_url;
  std::string branch = "main";
  std::string state_dir;
  std::string author_name = "buildfarm";
  std::string author_email = "buildfarm@localhost";
  int history_limit = 0;                    // 0: unbounded history
  std::set<std::string> heartbeat_paths;    // timestamp changes count for these
  int attempts_per_round = 3;
  double initial_backoff_seconds = 0.2;     // doubled per attempt, jittered by +-50 %
  double max_backoff_seconds = 5;
  std::size_t max_pending_paths = 256;
  std::size_t max_file_bytes = 1u << 20;
  int max_credential_calls = 3;
  std::string token_env = "GITHUB_TOKEN";
  std::string ssh_key_path;                 // empty: the SSH agent
  double stale_lock_seconds = 300;
  // libgit2 has no gc: when the mirror's objects exceed this (checked every 100 flushes) the mirror is
  // deleted and fetched again, so a year of updates does not fill the state dir.
  std::uint64_t max_mirror_bytes = 64u << 20;
};

// "remote_url: required" style errors for a bad option.
Status ValidatePublisherOptions(const PublisherOptions& options);
// True for scheme://user:password@host URLs, and for any user name in an http(s) URL (https://TOKEN@host);
// credentials belong in GITHUB_TOKEN or an SSH key. ssh://git@host and git@host:path only name a user.
bool UrlCarriesCredentials(std::string_view url);
// A relative path without empty, "." or ".." components and not under .git.
Status ValidatePublishPath(std::string_view path);

enum class FlushResult { kNothingPending, kUnchanged, kPushed };

struct PublisherStats {
  std::uint64_t pushes = 0;         // commits that reached the remote
  std::uint64_t rejections = 0;     // pushes the remote refused (each one was retried or left for later)
  std::uint64_t failed_rounds = 0;  // flushes that ended with files still pending
  std::uint64_t stale_locks_removed = 0;
  int credential_calls = 0;
};

class Publisher {
 public:
  // `metrics` may be null; it must outlive the publisher.
  static Result<std::unique_ptr<Publisher>> Open(PublisherOptions options, const Logger& log, PublishMetrics* metrics);
  ~Publisher();

  Status Stage(std::string path, std::string bytes);
  Result<FlushResult> Flush();

  std::size_t pending_count() const;
  PublisherStats stats() const;

 private:
  Publisher(PublisherOptions options, const Logger& log, PublishMetrics* metrics, std::unique_ptr<GitMirror> mirror);
  // One attempt against the fetched head: FlushResult, or nullopt when the push was rejected.
  Result<std::optional<FlushResult>> TryOnce(const std::map<std::string, std::string>& files) REQUIRES(flush_mutex_);
  void Backoff(int attempt) REQUIRES(flush_mutex_);
  void Forget(const std::map<std::string, std::string>& published) EXCLUDES(pending_mutex_);
  void Record(const std::string& result) EXCLUDES(pending_mutex_);
  void ResetMirrorWhenLarge() REQUIRES(flush_mutex_);

  const PublisherOptions options_;
  const Logger& log_;
  PublishMetrics* const metrics_;

  mutable Mutex pending_mutex_;
  std::map<std::string, std::string> pending_ GUARDED_BY(pending_mutex_);
  PublisherStats stats_ GUARDED_BY(pending_mutex_);

  Mutex flush_mutex_;  // serializes Flush
  std::unique_ptr<GitMirror> mirror_ GUARDED_BY(flush_mutex_);
  std::mt19937 jitter_ GUARDED_BY(flush_mutex_);
  int flushes_since_size_check_ GUARDED_BY(flush_mutex_) = 0;
  std::atomic<int> credential_calls_{0};  // over every mirror this publisher had
};

}  // namespace buildfarm::git_publisher
