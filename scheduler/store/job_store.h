// JobStore: the scheduler's durable job state in SQLite (WAL).
//
// Every state change is one BEGIN IMMEDIATE transaction, so after kill -9 and a restart every job
// that was acknowledged is still there, in the state it last committed. Attempts fence late
// reports: an attempt's start, log and result are accepted only while that attempt is the job's
// current one (Conflict otherwise, the API's 409). Time is passed in by the caller.
//
// Thread-safe: calls are serialized on the shared Database (sqlite.h). Every method joins a
// transaction its caller has open (Database::RunInTransaction), so it can be one step of a larger change.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler/store/node_history.h"
#include "scheduler/store/job.h"
#include "scheduler/store/sqlite.h"

namespace buildfarm::scheduler {

struct JobFilter {
  std::optional<JobState> state;
  std::string node;
  std::string branch;
};

struct JobPage {
  std::vector<Job> jobs;
  std::optional<std::int64_t> next_cursor;  // pass back as `cursor` for the next page
};

// A job's log is capped per attempt: what fits is kept, then this marker line, and nothing more.
inline constexpr std::int64_t kDefaultMaxLogBytesPerAttempt = std::int64_t{64} << 20;
// The marker ends a truncated attempt's log ("\n[buildfarm: log truncated at 64 MiB]\n").
std::string LogTruncationMarker(std::int64_t max_bytes);

struct LogAppend {
  std::int64_t appended_bytes = 0;  // bytes of the chunk that were kept (the marker not counted)
  bool truncated = false;           // the attempt's log is at its cap: send no more
  bool truncated_now = false;       // this chunk is the one that hit the cap (count it once)
};

// Part of the current attempt's log: bytes [offset, next_offset) of `size` stored so far.
struct LogSlice {
  std::string data;
  std::int64_t next_offset = 0;
  std::int64_t size = 0;
  std::optional<double> expired_at;  // the log was deleted by retention (data is empty)
};

// What one bounded retention step removed; `more` when the step stopped at its batch size.
struct SweepStep {
  std::int64_t jobs = 0;
  std::int64_t log_chunks = 0;
  bool more = false;
};

struct AttemptResult {
  std::int64_t exit_code = 0;
  double duration_seconds = 0;
  std::string error_message;  // e.g. "timed out after 60s"; empty for a plain exit
};

class JobStore {
 public:
  // On the scheduler's shared database; the path form opens a database of its own (tests, tools).
  static Result<std::unique_ptr<JobStore>> Open(std::shared_ptr<Database> db);
  static Result<std::unique_ptr<JobStore>> Open(const std::string& path);

  // Submits jobs atomically. Ids left empty are assigned. Dependencies must name jobs that exist
  // or are in the same batch (InvalidArgument naming the unknown id); a cycle is InvalidArgument
  // naming it ("dependencies: cycle a -> b -> a"); an existing id is Conflict. A job whose
  // dependencies are unfinished starts `blocked`; one with a failed or cancelled dependency
  // starts `cancelled`, naming it.
  Result<std::vector<Job>> Submit(std::vector<JobSpec> batch, double now);

  Result<Job> Get(const std::string& id);
  Result<JobPage> List(const JobFilter& filter, int limit, std::optional<std::int64_t> cursor);
  // Queued jobs in scheduling order: priority (10 first), then age.
  Result<std::vector<Job>> Schedulable(int limit);
  Result<std::vector<Job>> ActiveOnNode(const std::string& node);
  // Completed and failed jobs of `node` that finished at or after `since` (for NodeHistory).
  Result<std::vector<BuildRecord>> BuildsOnNode(const std::string& node, double since);
  // Every job not yet terminal plus the `recent` newest ones, oldest first (the published jobs.json).
  Result<std::vector<Job>> RecentAndUnfinished(int recent);
  Result<std::map<JobState, std::int64_t>> CountByState();
  // Submission time of the oldest queued job; nullopt when none is queued.
  Result<std::optional<double>> OldestQueuedAt();

  // Cancels a non-terminal job and, transitively, its unfinished dependents. Conflict when terminal.
  Result<Job> Cancel(const std::string& id, double now, const std::string& reason = "cancelled by request");
  // Puts a failed or cancelled job back in the queue (or blocked) with a new attempt to come.
  Result<Job> Retry(const std::string& id, double now);
  // An admin's override: the job runs only on `node`. Conflict unless queued or blocked.
  Result<Job> Pin(const std::string& id, const std::string& node);

  // queued -> assigned to `node` with attempt+1. Conflict if no longer queued.
  Result<Job> Assign(const std::string& id, const std::string& node, double now);
  // assigned -> running, for the current attempt on that node only.
  Result<Job> StartAttempt(const std::string& id, int attempt, const std::string& node, double now);
  // running/assigned -> completed (exit 0) or failed; unblocks or cancels dependents.
  Result<Job> FinishAttempt(const std::string& id, int attempt, const std::string& node,
                            const AttemptResult& result, double now);
  // A lost node's assigned and running jobs go back to the queue with retry_count+1, preferring
  // `backup` when given; past max_retries they fail. Returns the jobs it moved or failed.
  // `running_only` leaves assigned, unstarted jobs where they are (an agent that restarted will still
  // pick those up).
  Result<std::vector<Job>> RequeueNode(const std::string& node, const std::string& reason,
                                       const std::string& backup, double now, bool running_only = false);

  // Queued jobs that preferred `node` (sent there by an earlier failover) now prefer `target` ("" for
  // anywhere). Returns their ids. Pinned jobs keep their pin: that is an operator's choice.
  Result<std::vector<std::string>> RedirectQueued(const std::string& node, const std::string& target);

  // Log chunks of the current attempt; Conflict for a superseded attempt. Past `max_bytes` for the
  // attempt, the part that fits is kept followed by LogTruncationMarker and the rest is dropped.
  Result<LogAppend> AppendLog(const std::string& id, int attempt, std::string_view data,
                              std::int64_t max_bytes = kDefaultMaxLogBytesPerAttempt);
  // At most `limit` bytes of the current attempt's log from byte `offset`; reads only the chunks that
  // overlap that range.
  Result<LogSlice> ReadLog(const std::string& id, std::int64_t offset, std::int64_t limit);

  // Retention (job_store_retention.cc), each call one bounded transaction of at most `batch` rows:
  // Deletes log chunks of jobs finished before `cutoff`; once none are left, marks at most `batch`
  // such jobs log-expired at `now` (the job stays; its log route answers 410).
  Result<SweepStep> ExpireLogs(double cutoff, double now, int batch);
  // Deletes jobs finished before `cutoff` (their log chunks first, then the rows and their
  // dependency edges) unless an unfinished job depends on them.
  Result<SweepStep> DeleteFinishedJobs(double cutoff, int batch);

 private:
  explicit JobStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  Status CreateSchema();
  Status MigrateSchema();  // adds the columns older databases lack (job_store_retention.cc)
  Result<std::int64_t> LogSizeLocked(const std::string& id, int attempt);
  Result<Job> GetLocked(const std::string& id);
  Result<std::vector<Job>> Query(const std::string& where_and_order, const std::vector<std::string>& args);
  Status CancelDependents(const std::string& id, const std::string& reason, double now);
  Status UnblockDependents(const std::string& id);
  Status SetTerminal(const std::string& id, JobState state, const std::string& error, double now);

  std::shared_ptr<Database> db_;
};

}  // namespace buildfarm::scheduler
