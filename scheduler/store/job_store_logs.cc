// JobStore's logs and retention: capped appends, offset-range reads, the migration of job_logs from
// databases made before chunks carried their offsets, and the bounded retention steps.
//
// Each chunk row carries its byte range in the attempt's log (start_offset, bytes), so a read of
// [offset, offset + limit) touches only the chunks overlapping it and the log's size is the end of its
// last chunk, found through the job_logs_by_offset index without reading any data.
#include "scheduler/store/job_store.h"

namespace buildfarm::scheduler {
namespace {

Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }

constexpr const char* kFinished = "j.state IN ('completed', 'failed', 'cancelled') AND j.completed_at < ?1";
// A finished job nothing unfinished depends on (a blocked or queued dependent still needs its state).
constexpr const char* kDeletable =
    "j.state IN ('completed', 'failed', 'cancelled') AND j.completed_at < ?1 AND NOT EXISTS ("
    "SELECT 1 FROM job_deps d JOIN jobs u ON u.id = d.job_id WHERE d.depends_on = j.id "
    "AND u.state NOT IN ('completed', 'failed', 'cancelled'))";

Result<bool> HasColumn(Database& db, const std::string& table, const std::string& column) {
  auto stmt = db.Prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, table).Bind(2, column);
  const bool found = stmt->Step();
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return found;
}

// Deletes at most `batch` log chunks of the jobs `where` selects (?1 is the cutoff); returns how many.
Result<std::int64_t> DeleteLogChunks(Database& db, const char* where, double cutoff, int batch) {
  auto stmt = db.Prepare(std::string("DELETE FROM job_logs WHERE chunk IN (SELECT l.chunk FROM jobs j JOIN job_logs l "
                                     "ON l.job_id = j.id WHERE ") + where + " LIMIT ?2)");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, cutoff).Bind(2, batch).Run());
  return db.Changes();
}

}  // namespace

std::string LogTruncationMarker(std::int64_t max_bytes) {
  std::string size = std::to_string(max_bytes) + " bytes";
  if (max_bytes > 0 && max_bytes % (std::int64_t{1} << 20) == 0) {
    size = std::to_string(max_bytes >> 20) + " MiB";
  } else if (max_bytes > 0 && max_bytes % 1024 == 0) {
    size = std::to_string(max_bytes >> 10) + " KiB";
  }
  return "\n[buildfarm: log truncated at " + size + "]\n";
}

Status JobStore::MigrateSchema() {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto has_offsets = HasColumn(*db_, "job_logs", "start_offset");
  if (!has_offsets.ok()) return has_offsets.status();
  if (!*has_offsets) {
    // Chunks were appended in `chunk` order, so each one starts where the ones before it in its
    // attempt end. Lengths are of the stored bytes (CAST AS BLOB), not of characters.
    BUILDFARM_RETURN_IF_ERROR(db_->Exec(R"sql(
ALTER TABLE job_logs ADD COLUMN start_offset INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_logs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
UPDATE job_logs SET bytes = length(CAST(data AS BLOB));
UPDATE job_logs SET start_offset = ranged.start FROM (
  SELECT chunk, SUM(bytes) OVER (PARTITION BY job_id, attempt ORDER BY chunk) - bytes AS start FROM job_logs) AS ranged
WHERE ranged.chunk = job_logs.chunk;
)sql"));
  }
  auto has_expiry = HasColumn(*db_, "jobs", "log_expired_at");
  if (!has_expiry.ok()) return has_expiry.status();
  if (!*has_expiry) BUILDFARM_RETURN_IF_ERROR(db_->Exec("ALTER TABLE jobs ADD COLUMN log_expired_at REAL"));
  return txn.Commit();
}

Result<std::int64_t> JobStore::LogSizeLocked(const std::string& id, int attempt) {
  auto stmt = db_->Prepare("SELECT start_offset + bytes FROM job_logs WHERE job_id = ?1 AND attempt = ?2 "
                           "ORDER BY start_offset DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id).Bind(2, attempt);
  std::int64_t size = stmt->Step() ? stmt->ColumnInt(0) : 0;
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return size;
}

Result<LogAppend> JobStore::AppendLog(const std::string& id, int attempt, std::string_view data,
                                      std::int64_t max_bytes) {
  auto lock = db_->Lock();
  auto job = GetLocked(id);
  if (!job.ok()) return job.status();
  // Chunks may trail the result report, so a finished attempt still takes them; a newer attempt doesn't.
  if (job->attempt != attempt) {
    return Conflict("attempt " + std::to_string(attempt) + " of job " + id + " is superseded");
  }
  LogAppend out;
  if (job->log_expired_at) {
    out.truncated = true;  // retention already deleted this log: nothing more is kept
    return out;
  }
  auto size = LogSizeLocked(id, attempt);
  if (!size.ok()) return size.status();
  // Past the cap (the marker is stored): the log is closed.
  if (*size > max_bytes) {
    out.truncated = true;
    return out;
  }
  std::string stored;
  const std::int64_t room = max_bytes - *size;
  if (static_cast<std::int64_t>(data.size()) > room) {
    // Cut at a UTF-8 character boundary so the marker starts a clean line.
    auto keep = static_cast<std::size_t>(room);
    while (keep > 0 && (static_cast<unsigned char>(data[keep]) & 0xC0) == 0x80) --keep;
    stored.assign(data.substr(0, keep)).append(LogTruncationMarker(max_bytes));
    out.appended_bytes = static_cast<std::int64_t>(keep);
    out.truncated = out.truncated_now = true;
  } else {
    stored.assign(data);
    out.appended_bytes = static_cast<std::int64_t>(data.size());
  }
  if (stored.empty()) return out;
  auto stmt = db_->Prepare("INSERT INTO job_logs (job_id, attempt, data, start_offset, bytes) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id).Bind(2, attempt).Bind(3, stored).Bind(4, *size).Bind(5, static_cast<std::int64_t>(stored.size()));
  BUILDFARM_RETURN_IF_ERROR(stmt->Run());
  return out;
}

Result<LogSlice> JobStore::ReadLog(const std::string& id, std::int64_t offset, std::int64_t limit) {
  auto lock = db_->Lock();
  auto job = GetLocked(id);
  if (!job.ok()) return job.status();
  LogSlice slice;
  slice.next_offset = offset;
  if (job->log_expired_at) {
    slice.expired_at = job->log_expired_at;
    return slice;
  }
  auto size = LogSizeLocked(id, job->attempt);
  if (!size.ok()) return size.status();
  slice.size = *size;
  const std::int64_t end = std::min(*size, offset + std::max<std::int64_t>(limit, 0));
  if (offset >= end) return slice;
  // The chunk holding `offset` is the last one starting at or before it; the range ends before `end`.
  auto stmt = db_->Prepare(
      "SELECT start_offset, data FROM job_logs WHERE job_id = ?1 AND attempt = ?2 AND start_offset < ?4 "
      "AND start_offset >= COALESCE((SELECT MAX(start_offset) FROM job_logs WHERE job_id = ?1 AND attempt = ?2 "
      "AND start_offset <= ?3), 0) ORDER BY start_offset");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id).Bind(2, job->attempt).Bind(3, offset).Bind(4, end);
  while (stmt->Step()) {
    const std::int64_t start = stmt->ColumnInt(0);
    const std::string data = stmt->ColumnText(1);
    const std::int64_t from = std::max(offset, start) - start;
    const std::int64_t to = std::min(end, start + static_cast<std::int64_t>(data.size())) - start;
    if (to > from) slice.data.append(data, static_cast<std::size_t>(from), static_cast<std::size_t>(to - from));
  }
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  slice.next_offset = offset + static_cast<std::int64_t>(slice.data.size());
  return slice;
}

Result<SweepStep> JobStore::ExpireLogs(double cutoff, double now, int batch) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  SweepStep step;
  auto chunks = DeleteLogChunks(*db_, kFinished, cutoff, batch);
  if (!chunks.ok()) return chunks.status();
  step.log_chunks = *chunks;
  const std::int64_t room = batch - step.log_chunks;
  if (room <= 0) {
    step.more = true;
  } else {
    // Jobs that never ran had no log to expire.
    auto mark = db_->Prepare(std::string("UPDATE jobs SET log_expired_at = ?2 WHERE seq IN (SELECT j.seq FROM jobs j "
                                         "WHERE ") + kFinished + " AND j.attempt > 0 AND j.log_expired_at IS NULL LIMIT ?3)");
    if (!mark.ok()) return mark.status();
    BUILDFARM_RETURN_IF_ERROR(mark->Bind(1, cutoff).Bind(2, now).Bind(3, room).Run());
    step.jobs = db_->Changes();
    step.more = step.jobs >= room;
  }
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return step;
}

Result<SweepStep> JobStore::DeleteFinishedJobs(double cutoff, int batch) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  SweepStep step;
  auto chunks = DeleteLogChunks(*db_, kDeletable, cutoff, batch);
  if (!chunks.ok()) return chunks.status();
  step.log_chunks = *chunks;
  const std::int64_t room = batch - step.log_chunks;
  if (room <= 0) {
    step.more = true;
    BUILDFARM_RETURN_IF_ERROR(txn.Commit());
    return step;
  }
  auto due = db_->Prepare(std::string("SELECT j.id FROM jobs j WHERE ") + kDeletable + " ORDER BY j.seq LIMIT ?2");
  if (!due.ok()) return due.status();
  due->Bind(1, cutoff).Bind(2, room);
  std::vector<std::string> ids;
  while (due->Step()) ids.push_back(due->ColumnText(0));
  BUILDFARM_RETURN_IF_ERROR(due->status());
  for (const std::string& id : ids) {
    for (const char* sql : {"DELETE FROM job_deps WHERE job_id = ?1", "DELETE FROM jobs WHERE id = ?1"}) {
      auto remove = db_->Prepare(sql);
      if (!remove.ok()) return remove.status();
      BUILDFARM_RETURN_IF_ERROR(remove->Bind(1, id).Run());
    }
  }
  step.jobs = static_cast<std::int64_t>(ids.size());
  step.more = step.jobs >= room;
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return step;
}

}  // namespace buildfarm::scheduler
