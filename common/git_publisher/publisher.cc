#include "common/git_publisher/publisher.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <thread>

#include "common/git_publisher/content_change.h"
#include "common/git_publisher/git_mirror.h"
#include "common/git_publisher/secret_guard.h"

namespace buildfarm::git_publisher {
namespace {

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string AttemptResult(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kUnauthenticated: return "auth_failed";
    default: return "error";
  }
}

std::string CommitMessage(const std::map<std::string, std::string>& changed) {
  std::string message = "publish:";
  int listed = 0;
  for (const auto& entry : changed) {
    if (++listed > 3) {
      message += " and " + std::to_string(changed.size() - 3) + " more";
      break;
    }
    message += " " + entry.first;
  }
  return message + "\n";
}

RemoteAccess AccessFor(const PublisherOptions& options) {
  return RemoteAccess{options.remote_url, options.branch, options.ssh_key_path, options.token_env,
                      options.max_credential_calls};
}

}  // namespace

Status ValidatePublishPath(std::string_view path) {
  if (path.empty()) return InvalidArgument("path: empty");
  if (path.front() == '/') return InvalidArgument("path " + std::string(path) + ": must be relative");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = std::min(path.find('/', start), path.size());
    std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == ".." || part == ".git") {
      return InvalidArgument("path " + std::string(path) + ": empty, '.', '..' or '.git' component");
    }
    if (part.find('\0') != std::string_view::npos) return InvalidArgument("path: NUL byte");
    start = slash + 1;
  }
  return Status::Ok();
}

Status ValidatePublisherOptions(const PublisherOptions& options) {
  if (options.remote_url.empty()) return InvalidArgument("remote: required");
  if (UrlCarriesCredentials(options.remote_url)) {
    return InvalidArgument("remote: must not carry credentials; set GITHUB_TOKEN or use an SSH key");
  }
  if (options.branch.empty() || options.branch.find_first_of(" ~^:?*[\\") != std::string::npos ||
      options.branch.find("..") != std::string::npos || options.branch.front() == '-' ||
      options.branch.back() == '/' || options.branch.ends_with(".lock")) {
    return InvalidArgument("branch: not a valid branch name: " + options.branch);
  }
  if (options.state_dir.empty()) return InvalidArgument("state_dir: required");
  if (options.history_limit < 0) return InvalidArgument("history_limit: must be 0 (off) or positive");
  if (options.attempts_per_round < 1) return InvalidArgument("attempts_per_round: must be positive");
  if (options.max_pending_paths < 1) return InvalidArgument("max_pending_paths: must be positive");
  if (options.max_credential_calls < 1) return InvalidArgument("max_credential_calls: must be positive");
  if (options.author_name.empty() || options.author_email.empty()) return InvalidArgument("author: name and email required");
  for (const auto& path : options.heartbeat_paths) BUILDFARM_RETURN_IF_ERROR(ValidatePublishPath(path));
  return Status::Ok();
}

Result<std::unique_ptr<Publisher>> Publisher::Open(PublisherOptions options, const Logger& log, PublishMetrics* metrics) {
  BUILDFARM_RETURN_IF_ERROR(ValidatePublisherOptions(options));
  auto mirror = GitMirror::Open(options.state_dir, AccessFor(options));
  if (!mirror.ok()) return mirror.status();
  return std::unique_ptr<Publisher>(new Publisher(std::move(options), log, metrics, std::move(mirror).value()));
}

Publisher::Publisher(PublisherOptions options, const Logger& log, PublishMetrics* metrics,
                     std::unique_ptr<GitMirror> mirror)
    : options_(std::move(options)), log_(log), metrics_(metrics), mirror_(std::move(mirror)),
      jitter_(std::random_device{}()) {}

Publisher::~Publisher() {
  if (metrics_ != nullptr) metrics_->AddPending(-static_cast<std::int64_t>(pending_count()));
}

Status Publisher::Stage(std::string path, std::string bytes) {
  BUILDFARM_RETURN_IF_ERROR(ValidatePublishPath(path));
  if (bytes.size() > options_.max_file_bytes) {
    return InvalidArgument("path " + path + ": " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                           std::to_string(options_.max_file_bytes));
  }
  if (auto finding = FindLikelySecret(bytes)) {
    log_.Warn("publish refused: the document looks like it contains a secret",
              {{"reason", finding->reason}, {"path", path}});
    if (metrics_ != nullptr) metrics_->RecordRefusal(finding->reason);
    return {StatusCode::kPermissionDenied, "path " + path + ": refused, it looks like it contains a secret (" +
                                               finding->reason + ")"};
  }
  MutexLock lock(pending_mutex_);
  auto it = pending_.find(path);
  if (it != pending_.end()) {
    it->second = std::move(bytes);
    return Status::Ok();
  }
  if (pending_.size() >= options_.max_pending_paths) {
    return {StatusCode::kFailedPrecondition, "path " + path + ": " + std::to_string(pending_.size()) +
                                                 " files already wait to be published (max_pending_paths)"};
  }
  pending_.emplace(std::move(path), std::move(bytes));
  if (metrics_ != nullptr) metrics_->AddPending(1);
  return Status::Ok();
}

std::size_t Publisher::pending_count() const {
  MutexLock lock(pending_mutex_);
  return pending_.size();
}

PublisherStats Publisher::stats() const {
  MutexLock lock(pending_mutex_);
  PublisherStats stats = stats_;
  stats.credential_calls = credential_calls_.load();
  return stats;
}

void Publisher::Record(const std::string& result) {
  if (metrics_ != nullptr) metrics_->RecordAttempt(result);
  MutexLock lock(pending_mutex_);
  if (result == "ok") ++stats_.pushes;
  if (result == "rejected") ++stats_.rejections;
}

void Publisher::Forget(const std::map<std::string, std::string>& published) {
  MutexLock lock(pending_mutex_);
  for (const auto& [path, content] : published) {
    auto it = pending_.find(path);
    // A newer version staged while this flush ran stays for the next one.
    if (it == pending_.end() || it->second != content) continue;
    pending_.erase(it);
    if (metrics_ != nullptr) metrics_->AddPending(-1);
  }
}

void Publisher::Backoff(int attempt) {
  double delay = std::min(options_.max_backoff_seconds, options_.initial_backoff_seconds * std::pow(2.0, attempt - 1));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  std::this_thread::sleep_for(std::chrono::duration<double>(delay * jitter(jitter_)));
}

Result<std::optional<FlushResult>> Publisher::TryOnce(const std::map<std::string, std::string>& files) {
  // The head this publisher last pushed is usually still the remote's: try it without a fetch. When
  // the remote moved, the lease refuses the push and the retry fetches.
  auto head = mirror_->KnownOrFetchedHead();
  if (!head.ok()) return head.status();
  std::map<std::string, std::string> changed;
  for (const auto& [path, content] : files) {
    std::optional<std::string> previous;
    if (*head) {
      auto read = mirror_->ReadFile(**head, path);
      if (!read.ok()) return read.status();
      previous = std::move(read).value();
    }
    if (!previous || ContentChanged(*previous, content, options_.heartbeat_paths.contains(path))) {
      changed.emplace(path, content);
    }
  }
  if (changed.empty()) {
    return std::optional<FlushResult>(FlushResult::kUnchanged);
  }

  const git_oid* base = *head ? &**head : nullptr;
  auto tree = mirror_->BuildTree(base, changed);
  if (!tree.ok()) return tree.status();
  const git_oid* parent = base;
  if (options_.history_limit > 0 && base != nullptr) {
    auto length = mirror_->ChainLength(*base, options_.history_limit);
    if (!length.ok()) return length.status();
    if (*length >= options_.history_limit) parent = nullptr;  // an orphan snapshot restarts the chain
  }
  auto commit = mirror_->Commit(*tree, parent, options_.author_name, options_.author_email, CommitMessage(changed));
  if (!commit.ok()) return commit.status();
  auto pushed = mirror_->Push(*commit, *head, /*force=*/options_.history_limit > 0);
  if (!pushed.ok()) return pushed.status();
  if (pushed->outcome == PushOutcome::kRejected) {
    log_.Info("push rejected; fetching and rebuilding", {{"branch", options_.branch}, {"detail", pushed->detail}});
    return std::optional<FlushResult>();
  }
  return std::optional<FlushResult>(FlushResult::kPushed);
}

void Publisher::ResetMirrorWhenLarge() {
  if (++flushes_since_size_check_ < 100) return;
  flushes_since_size_check_ = 0;
  std::uint64_t bytes = mirror_->ObjectBytes();
  if (bytes <= options_.max_mirror_bytes) return;
  mirror_.reset();
  std::error_code ec;
  std::filesystem::remove_all(options_.state_dir, ec);
  auto reopened = GitMirror::Open(options_.state_dir, AccessFor(options_));
  if (!reopened.ok()) {
    log_.Warn("cannot recreate the publish mirror; the next flush tries again", {{"err", reopened.status().ToString()}});
    return;
  }
  log_.Info("recreated the publish mirror", {{"dir", options_.state_dir}, {"bytes", std::to_string(bytes)}});
  mirror_ = std::move(reopened).value();
}

Result<FlushResult> Publisher::Flush() {
  MutexLock flush_lock(flush_mutex_);
  if (!mirror_) {
    auto reopened = GitMirror::Open(options_.state_dir, AccessFor(options_));
    if (!reopened.ok()) return reopened.status();
    mirror_ = std::move(reopened).value();
  }
  for (const auto& lock_file : mirror_->RemoveStaleLocks(options_.stale_lock_seconds)) {
    log_.Warn("removed a stale lock file", {{"file", lock_file}, {"dir", mirror_->dir()}});
    MutexLock lock(pending_mutex_);
    ++stats_.stale_locks_removed;
  }
  std::map<std::string, std::string> snapshot;
  {
    MutexLock lock(pending_mutex_);
    snapshot = pending_;
  }
  if (snapshot.empty()) return FlushResult::kNothingPending;
  for (int attempt = 1; attempt <= options_.attempts_per_round; ++attempt) {
    if (attempt > 1) Backoff(attempt - 1);
    const int credential_calls_before = mirror_->credential_calls();
    auto outcome = TryOnce(snapshot);
    credential_calls_ += mirror_->credential_calls() - credential_calls_before;
    if (!outcome.ok()) {
      Record(AttemptResult(outcome.status()));
      MutexLock lock(pending_mutex_);
      ++stats_.failed_rounds;
      return outcome.status();
    }
    if (!outcome->has_value()) {
      Record("rejected");
      continue;
    }
    FlushResult result = **outcome;
    Record(result == FlushResult::kPushed ? "ok" : "unchanged");
    Forget(snapshot);
    if (metrics_ != nullptr) metrics_->RecordSuccess(UnixNow());
    ResetMirrorWhenLarge();
    return result;
  }
  {
    MutexLock lock(pending_mutex_);
    ++stats_.failed_rounds;
  }
  return Status(StatusCode::kConflict, "push to " + options_.branch + " rejected " +
                                           std::to_string(options_.attempts_per_round) +
                                           " times; the files stay staged for the next flush");
}

}  // namespace buildfarm::git_publisher
