// StatfsRunner: statfs(2) off the scrape thread, with a deadline, for mounts that may hang.
//
// A scrape hands the runner a batch of paths and waits at most `timeout` for the answers. Calls run
// on a small persistent pool of worker threads, so the normal case creates no threads. A call that
// outlives its scrape's deadline is "stuck": its path gets kStuck without a new call until that call
// returns (at most one outstanding call per path, so nothing piles up behind a dead NFS server), and
// the pool replaces the blocked worker with a fresh one up to a fixed cap on threads. Scrapes that
// arrive while a call for the same path is merely in progress share it instead of issuing another.
//
// Thread safety: StatAll may be called concurrently. Workers are detached and share the runner's
// state, so destroying the runner never waits for a stuck call; the stat function (and whatever it
// captures) must stay valid until all calls it started have returned, so capture by value.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace buildfarm::exporter {

struct StatfsValues {
  std::uint64_t blocks = 0;        // f_blocks
  std::uint64_t blocks_free = 0;   // f_bfree
  std::uint64_t blocks_avail = 0;  // f_bavail
  std::uint64_t block_size = 0;    // f_bsize, as node_exporter multiplies by it
  std::uint64_t files = 0;         // f_files
  std::uint64_t files_free = 0;    // f_ffree
};

// Stats one path (already joined with the rootfs). May block indefinitely; must be thread-safe.
using StatFunction = std::function<Result<StatfsValues>(const std::string& path)>;

// The real thing: statfs(2).
Result<StatfsValues> SystemStatfs(const std::string& path);

struct StatfsRunnerOptions {
  std::chrono::milliseconds timeout{5000};
  int workers = 4;  // threads kept for the normal case (node_exporter's stat-workers)
  int max_threads = 32;  // including workers blocked in stuck calls
};

class StatfsRunner {
 public:
  enum class Outcome {
    kOk,        // values are valid
    kFailed,    // statfs returned an error (in `error`)
    kTimedOut,  // no answer before this batch's deadline; the call continues in the background
    kStuck,     // an earlier call for this path is still blocked; no call was made
  };
  struct Answer {
    Outcome outcome = Outcome::kTimedOut;
    StatfsValues values;
    std::string error;
  };

  StatfsRunner(StatFunction stat, StatfsRunnerOptions options);
  ~StatfsRunner();
  StatfsRunner(const StatfsRunner&) = delete;
  StatfsRunner& operator=(const StatfsRunner&) = delete;

  // One answer per path, in order. Returns within the timeout (plus scheduling noise).
  std::vector<Answer> StatAll(const std::vector<std::string>& paths);

  // Threads currently alive, busy or idle (for tests and debugging).
  int ThreadCount() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace buildfarm::exporter
