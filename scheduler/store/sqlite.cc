#include "scheduler/store/sqlite.h"

#include <utility>

namespace buildfarm::scheduler {
namespace {

Status SqliteError(sqlite3* db, std::string_view what) {
  return Internal("sqlite " + std::string(what) + ": " + sqlite3_errmsg(db));
}

// Result codes that say the database file (or its disk, or another process holding it) is in
// trouble, as opposed to a refused statement (a constraint, an SQL mistake) that is the caller's.
bool IsHealthError(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

}  // namespace

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : owner_(other.owner_),
      db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), status_(std::move(other.status_)) {}

Statement& Statement::Bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}
Statement& Statement::BindOptional(int index, const std::optional<double>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}
Statement& Statement::BindOptional(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    status_ = SqliteError(db_, "step");
    owner_->NoteError(rc, status_);
  }
  return false;
}

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}
std::int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }
bool Statement::ColumnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::optional<double> Statement::ColumnOptionalDouble(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnDouble(column);
}
std::optional<std::int64_t> Statement::ColumnOptionalInt(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnInt(column);
}

Result<std::shared_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("open store " + path + ": " + message);
  }
  std::shared_ptr<Database> database(new Database(db));
  sqlite3_busy_timeout(db, 5000);
  // WAL survives kill -9 without losing committed transactions; NORMAL sync is enough for that. A
  // larger page cache than SQLite's 2 MiB default keeps the message FTS index and recent rows in memory.
  BUILDFARM_RETURN_IF_ERROR(database->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;"));
  return database;
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close(db_);
}

Status Database::Exec(std::string_view sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    Status failed = Internal("sqlite exec: " + message);
    NoteError(rc, failed);
    return failed;
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  if (prepare_observer_) prepare_observer_(sql);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    Status failed = SqliteError(db_, "prepare");
    NoteError(rc, failed);
    return failed;
  }
  return Statement(*this, db_, stmt);
}

void Database::NoteError(int code, const Status& error) {
  if (IsHealthError(code)) health_error_ = error;
}

Status Database::LastHealthError() {
  auto lock = Lock();
  return health_error_;
}

Status Database::ProbeRead() {
  auto lock = Lock();
  // sqlite_master is the schema table every file has: reading it opens a read transaction on the file
  // (its header and the WAL index) and writes nothing.
  auto stmt = Prepare("SELECT COUNT(*) FROM sqlite_master");
  if (!stmt.ok()) return stmt.status();
  return stmt->Run();
}

void Database::OnRollback(std::function<void()> undo) {
  if (depth_ > 0) undo_.push_back(std::move(undo));
}

void Database::Undo(std::size_t down_to) {
  while (undo_.size() > down_to) {
    auto undo = std::move(undo_.back());
    undo_.pop_back();
    undo();
  }
}

Transaction::Transaction(Database& db, bool proves_health)
    : db_(db), lock_(db.mu_), proves_health_(proves_health) {
  level_ = db_.depth_;
  undo_mark_ = db_.undo_.size();
  changes_at_begin_ = sqlite3_total_changes64(db_.db_);
  begin_status_ = db_.Exec(level_ == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT nested_" + std::to_string(level_));
  if (begin_status_.ok()) ++db_.depth_;
}

Transaction::~Transaction() {
  if (!begin_status_.ok()) return;
  if (!done_) {
    if (level_ == 0) {
      (void)db_.Exec("ROLLBACK");
    } else {
      const std::string name = "nested_" + std::to_string(level_);
      (void)db_.Exec("ROLLBACK TO " + name + "; RELEASE " + name);
    }
    db_.Undo(undo_mark_);
  }
  --db_.depth_;
}

Status Transaction::Commit() {
  Status status = db_.Exec(level_ == 0 ? std::string("COMMIT") : "RELEASE nested_" + std::to_string(level_));
  if (!status.ok()) return status;
  done_ = true;
  if (level_ == 0) {
    db_.undo_.clear();  // durable now: nothing left to undo
    // Rows were written and are committed: the file takes writes again. (A transaction that wrote
    // nothing proves nothing about a full disk.)
    if (proves_health_ && sqlite3_total_changes64(db_.db_) != changes_at_begin_) db_.health_error_ = Status::Ok();
  }
  return status;
}

}  // namespace buildfarm::scheduler
