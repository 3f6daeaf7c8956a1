#include "scheduler/store/job_store.h"

#include <chrono>
#include <cstdio>
#include <deque>
#include <random>
#include <set>

#include "scheduler/store/dependency_graph.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

constexpr const char* kColumns =
    "seq, id, spec, state, node, pinned_node, preferred_node, attempt, retry_count, created_at, assigned_at, "
    "started_at, completed_at, exit_code, duration_seconds, error_message, log_expired_at";

// Schema DDL, SQLite dialect (AUTOINCREMENT, REAL).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT UNIQUE NOT NULL,
  spec TEXT NOT NULL,
  priority INTEGER NOT NULL,
  branch TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  node TEXT NOT NULL DEFAULT '',
  pinned_node TEXT NOT NULL DEFAULT '',
  preferred_node TEXT NOT NULL DEFAULT '',
  attempt INTEGER NOT NULL DEFAULT 0,
  retry_count INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL,
  assigned_at REAL, started_at REAL, completed_at REAL,
  exit_code INTEGER, duration_seconds REAL,
  error_message TEXT NOT NULL DEFAULT '',
  log_expired_at REAL);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, priority DESC, seq);
CREATE INDEX IF NOT EXISTS jobs_by_node ON jobs(node, state);
CREATE TABLE IF NOT EXISTS job_deps (
  job_id TEXT NOT NULL, depends_on TEXT NOT NULL, PRIMARY KEY (job_id, depends_on));
CREATE INDEX IF NOT EXISTS job_deps_reverse ON job_deps(depends_on);
CREATE TABLE IF NOT EXISTS job_logs (
  chunk INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, attempt INTEGER NOT NULL, data BLOB NOT NULL,
  start_offset INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS job_logs_by_job ON job_logs(job_id, attempt, chunk);
)sql";

// After MigrateSchema: these columns exist only then in a database made by an older scheduler.
constexpr const char* kIndexesOnMigratedColumns = R"sql(
CREATE INDEX IF NOT EXISTS job_logs_by_offset ON job_logs(job_id, attempt, start_offset);
CREATE INDEX IF NOT EXISTS jobs_by_completion ON jobs(completed_at) WHERE completed_at IS NOT NULL;
)sql";

Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }

Job ReadJob(const Statement& row) {
  Job job;
  job.seq = row.ColumnInt(0);
  auto spec = JobSpecFromJson(nlohmann::json::parse(row.ColumnText(2), nullptr, false));
  if (spec.ok()) job.spec = std::move(spec).value();
  job.spec.id = row.ColumnText(1);
  job.state = ParseJobState(row.ColumnText(3)).value_or(JobState::kFailed);
  job.node = row.ColumnText(4);
  job.pinned_node = row.ColumnText(5);
  job.preferred_node = row.ColumnText(6);
  job.attempt = static_cast<int>(row.ColumnInt(7));
  job.retry_count = static_cast<int>(row.ColumnInt(8));
  job.created_at = row.ColumnDouble(9);
  job.assigned_at = row.ColumnOptionalDouble(10);
  job.started_at = row.ColumnOptionalDouble(11);
  job.completed_at = row.ColumnOptionalDouble(12);
  job.exit_code = row.ColumnOptionalInt(13);
  job.duration_seconds = row.ColumnOptionalDouble(14);
  job.error_message = row.ColumnText(15);
  job.log_expired_at = row.ColumnOptionalDouble(16);
  return job;
}

std::string NewJobId() {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex mu;
  std::lock_guard lock(mu);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "job_%llx%04x", static_cast<unsigned long long>(millis),
                static_cast<unsigned>(rng() & 0xffff));
  return buffer;
}

}  // namespace

Result<std::unique_ptr<JobStore>> JobStore::Open(const std::string& path) {
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  return Open(std::move(db).value());
}

Result<std::unique_ptr<JobStore>> JobStore::Open(std::shared_ptr<Database> db) {
  std::unique_ptr<JobStore> store(new JobStore(std::move(db)));
  BUILDFARM_RETURN_IF_ERROR(store->CreateSchema());
  return store;
}

Status JobStore::CreateSchema() {
  auto lock = db_->Lock();
  BUILDFARM_RETURN_IF_ERROR(db_->Exec(kSchema));
  BUILDFARM_RETURN_IF_ERROR(MigrateSchema());
  return db_->Exec(kIndexesOnMigratedColumns);
}

Result<std::vector<Job>> JobStore::Query(const std::string& where_and_order, const std::vector<std::string>& args) {
  auto stmt = db_->Prepare(std::string("SELECT ") + kColumns + " FROM jobs " + where_and_order);
  if (!stmt.ok()) return stmt.status();
  for (std::size_t i = 0; i < args.size(); ++i) stmt->Bind(static_cast<int>(i + 1), args[i]);
  std::vector<Job> jobs;
  while (stmt->Step()) jobs.push_back(ReadJob(*stmt));
  if (!stmt->status().ok()) return stmt->status();
  return jobs;
}

Result<Job> JobStore::GetLocked(const std::string& id) {
  auto jobs = Query("WHERE id = ?1", {id});
  if (!jobs.ok()) return jobs.status();
  if (jobs->empty()) return NotFound("job " + id + " not found");
  return std::move(jobs->front());
}

Result<Job> JobStore::Get(const std::string& id) {
  auto lock = db_->Lock();
  return GetLocked(id);
}

Result<std::vector<Job>> JobStore::Submit(std::vector<JobSpec> batch, double now) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  std::map<std::string, std::vector<std::string>> graph;
  std::set<std::string> in_batch;
  for (auto& spec : batch) {
    if (spec.id.empty()) spec.id = NewJobId();
    if (!in_batch.insert(spec.id).second) return InvalidArgument("id: " + spec.id + " appears twice in the batch");
    auto existing = GetLocked(spec.id);
    if (existing.ok()) return Conflict("id: job " + spec.id + " already exists");
    graph[spec.id] = spec.dependencies;
  }
  // Dependencies must exist already or arrive in this batch; their states decide the new job's.
  std::map<std::string, JobState> dep_states;
  for (const auto& spec : batch) {
    for (const auto& dep : spec.dependencies) {
      if (in_batch.count(dep) != 0 || dep_states.count(dep) != 0) continue;
      auto found = GetLocked(dep);
      if (!found.ok()) return InvalidArgument("dependencies: unknown job " + dep + " (in job " + spec.id + ")");
      dep_states[dep] = found->state;
    }
  }
  if (auto cycle = FindCycle(graph); !cycle.empty()) {
    return InvalidArgument("dependencies: cycle " + DescribeCycle(cycle));
  }
  for (const auto& spec : batch) {
    JobState state = JobState::kQueued;
    std::string error;
    for (const auto& dep : spec.dependencies) {
      auto it = dep_states.find(dep);
      if (it == dep_states.end()) {
        state = JobState::kBlocked;  // a job of this batch: not run yet
      } else if (it->second == JobState::kFailed || it->second == JobState::kCancelled) {
        state = JobState::kCancelled;
        error = "dependency " + dep + (it->second == JobState::kFailed ? " failed" : " was cancelled");
        break;
      } else if (it->second != JobState::kCompleted) {
        state = JobState::kBlocked;
      }
    }
    auto insert = db_->Prepare(
        "INSERT INTO jobs (id, spec, priority, branch, state, max_retries, created_at, error_message, completed_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!insert.ok()) return insert.status();
    insert->Bind(1, spec.id).Bind(2, JobSpecToJson(spec).dump()).Bind(3, spec.priority).Bind(4, spec.branch);
    insert->Bind(5, JobStateName(state)).Bind(6, spec.max_retries).Bind(7, now).Bind(8, error);
    if (state == JobState::kCancelled) insert->Bind(9, now); else insert->BindNull(9);
    BUILDFARM_RETURN_IF_ERROR(insert->Run());
    for (const auto& dep : spec.dependencies) {
      auto edge = db_->Prepare("INSERT INTO job_deps (job_id, depends_on) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
      if (!edge.ok()) return edge.status();
      BUILDFARM_RETURN_IF_ERROR(edge->Bind(1, spec.id).Bind(2, dep).Run());
    }
    // A batch member that was cancelled at birth takes its own dependents in the batch with it.
    if (state == JobState::kCancelled) dep_states[spec.id] = JobState::kCancelled;
  }
  std::vector<Job> stored;
  for (const auto& spec : batch) {
    auto job = GetLocked(spec.id);
    if (!job.ok()) return job.status();
    stored.push_back(std::move(job).value());
  }
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return stored;
}

Result<JobPage> JobStore::List(const JobFilter& filter, int limit, std::optional<std::int64_t> cursor) {
  auto lock = db_->Lock();
  std::string where = "WHERE seq > ?1";
  std::vector<std::string> args{std::to_string(cursor.value_or(0))};
  if (filter.state) {
    args.emplace_back(JobStateName(*filter.state));
    where += " AND state = ?" + std::to_string(args.size());
  }
  if (!filter.node.empty()) {
    args.push_back(filter.node);
    where += " AND node = ?" + std::to_string(args.size());
  }
  if (!filter.branch.empty()) {
    args.push_back(filter.branch);
    where += " AND branch = ?" + std::to_string(args.size());
  }
  // One extra row tells whether another page exists.
  auto jobs = Query(where + " ORDER BY seq LIMIT " + std::to_string(limit + 1), args);
  if (!jobs.ok()) return jobs.status();
  JobPage page;
  page.jobs = std::move(jobs).value();
  if (static_cast<int>(page.jobs.size()) > limit) {
    page.jobs.resize(static_cast<std::size_t>(limit));
    page.next_cursor = page.jobs.back().seq;
  }
  return page;
}

Result<std::vector<BuildRecord>> JobStore::BuildsOnNode(const std::string& node, double since) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "SELECT completed_at, duration_seconds, state FROM jobs WHERE node = ?1 AND state IN ('completed', 'failed') "
      "AND completed_at >= ?2 ORDER BY completed_at");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, node).Bind(2, since);
  std::vector<BuildRecord> builds;
  while (stmt->Step()) {
    builds.push_back({stmt->ColumnDouble(0), stmt->ColumnOptionalDouble(1), stmt->ColumnText(2) == "completed"});
  }
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return builds;
}

Result<std::vector<Job>> JobStore::RecentAndUnfinished(int recent) {
  auto lock = db_->Lock();
  return Query("WHERE state IN ('blocked', 'queued', 'assigned', 'running') OR seq IN (SELECT seq FROM jobs ORDER BY "
               "seq DESC LIMIT " + std::to_string(recent < 0 ? 0 : recent) + ") ORDER BY seq", {});
}

Result<std::vector<Job>> JobStore::Schedulable(int limit) {
  auto lock = db_->Lock();
  return Query("WHERE state = 'queued' ORDER BY priority DESC, seq LIMIT " + std::to_string(limit), {});
}

Result<std::vector<Job>> JobStore::ActiveOnNode(const std::string& node) {
  auto lock = db_->Lock();
  return Query("WHERE node = ?1 AND state IN ('assigned', 'running') ORDER BY seq", {node});
}

Result<std::map<JobState, std::int64_t>> JobStore::CountByState() {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state");
  if (!stmt.ok()) return stmt.status();
  std::map<JobState, std::int64_t> counts;
  for (JobState s : {JobState::kBlocked, JobState::kQueued, JobState::kAssigned, JobState::kRunning,
                     JobState::kCompleted, JobState::kFailed, JobState::kCancelled}) {
    counts[s] = 0;
  }
  while (stmt->Step()) {
    if (auto state = ParseJobState(stmt->ColumnText(0))) counts[*state] = stmt->ColumnInt(1);
  }
  if (!stmt->status().ok()) return stmt->status();
  return counts;
}

Result<std::optional<double>> JobStore::OldestQueuedAt() {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("SELECT MIN(created_at) FROM jobs WHERE state = 'queued'");
  if (!stmt.ok()) return stmt.status();
  std::optional<double> oldest;
  if (stmt->Step()) oldest = stmt->ColumnOptionalDouble(0);
  if (!stmt->status().ok()) return stmt->status();
  return oldest;
}

}  // namespace buildfarm::scheduler
