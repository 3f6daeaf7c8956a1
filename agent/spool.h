// ResultSpool: finished attempt results waiting to be delivered to the scheduler.
//
// Results are kept in memory and mirrored to a small JSON file (written to a temporary file,
// fsynced, then renamed over the old one), so an agent that restarts still delivers what it had.
// An entry is removed once the scheduler accepted it or answered 409 (superseded or already
// reported): together with the scheduler's fencing this gives exactly-once delivery.
// Thread-safe: every method takes an internal mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"

namespace buildfarm::agent {

struct PendingResult {
  std::string job_id;
  std::int64_t attempt = 0;
  int exit_code = 0;
  double duration_seconds = 0;
  std::string error;
};

class ResultSpool {
 public:
  // Loads `path` if it exists. A garbled file is an error naming it (the caller decides whether to
  // move it aside); a missing one is an empty spool.
  static Result<std::unique_ptr<ResultSpool>> Open(const std::string& path);

  // Adds (or replaces) the result of (job_id, attempt) and persists the spool.
  Status Add(const PendingResult& result);
  // Removes (job_id, attempt) if present and persists the spool.
  Status Remove(const std::string& job_id, std::int64_t attempt);
  std::vector<PendingResult> List() const;
  bool Contains(const std::string& job_id, std::int64_t attempt) const;
  const std::string& path() const { return path_; }

 private:
  explicit ResultSpool(std::string path) : path_(std::move(path)) {}
  Status SaveLocked() const REQUIRES(mu_);

  std::string path_;
  mutable Mutex mu_;
  std::vector<PendingResult> results_ GUARDED_BY(mu_);
};

// JSON text of a spool and its parser (exposed for tests).
std::string SpoolToJson(const std::vector<PendingResult>& results);
Result<std::vector<PendingResult>> SpoolFromJson(std::string_view text, std::string_view source);

}  // namespace buildfarm::agent
