// A thin RAII layer over the SQLite C API: the scheduler's one shared connection (Database), its
// transactions and prepared statements, reporting failures as Status values.
//
// Thread safety: see Database below. A Statement belongs to its Database, is used while the caller
// holds the Database lock, and must not outlive it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::scheduler {

class Database;

class Statement {
 public:
  Statement(Database& owner, sqlite3* db, sqlite3_stmt* stmt) : owner_(&owner), db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& BindNull(int index);
  Statement& BindOptional(int index, const std::optional<double>& value);
  Statement& BindOptional(int index, const std::optional<std::int64_t>& value);

  // One step: true when a row is available, false when done; errors come back through status().
  bool Step();
  // Steps to completion (for statements without results).
  Status Run();
  Status status() const { return status_; }

  std::string ColumnText(int column) const;
  std::int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  bool ColumnIsNull(int column) const;
  std::optional<double> ColumnOptionalDouble(int column) const;
  std::optional<std::int64_t> ColumnOptionalInt(int column) const;

 private:
  Database* owner_;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

// One Database per scheduler: the single SQLite connection that JobStore, NodeStore, FailoverStore and
// MessageStore share, so that an operation touching several stores is one transaction.
//
// Locking: one recursive mutex serializes every use of the connection. Store reads hold it through
// Lock(); writes open a Transaction, which holds it from BEGIN to COMMIT. A Transaction opened while
// the same thread already has one open joins it as a SAVEPOINT: a store method that fails and rolls
// back undoes only its own part, and nothing is durable until the outermost one commits. So a caller
// composes store methods into one atomic change with RunInTransaction(fn), without the stores
// knowing about each other. Lock order: the Database lock first, then any store's own mutex.
//
// Engine seam: Database and Statement are the only types that know the engine. Everything
// SQLite-specific outside them is the per-store schema DDL and the few statements each store file
// gathers in its `sqlite_dialect` block (FTS5, rowid, json_each); the rest of the stores' SQL is
// portable (ON CONFLICT, RETURNING, ?N parameters). A second engine (PostgreSQL) replaces this file
// and those blocks; the stores' callers do not change.
//
// Store health, for /readyz without writing: the connection remembers the last error that says the
// file itself is in trouble (full, read-only, I/O, corrupt, locked by another process; not a constraint or
// an SQL mistake) until an outermost COMMIT succeeds again, and ProbeRead() is a read-only check.
class Database {
 public:
  // Opens (creating) the file in WAL mode with a busy timeout and foreign keys on.
  static Result<std::shared_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Holds the connection for the calling thread (reads; writes that are one statement).
  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock(mu_); }

  // Runs `fn` (returning Status or Result<T>) in one transaction, joining the caller's when there is
  // one; commits when it succeeds, rolls back everything it did otherwise.
  template <typename Fn>
  auto RunInTransaction(Fn&& fn) -> decltype(fn());

  // For in-memory state that mirrors rows (NodeStore's table): `undo` runs if the enclosing
  // transaction or savepoint rolls back. Outside a transaction a write is final, so it is dropped.
  // Caller holds Lock().
  void OnRollback(std::function<void()> undo);

  // Caller holds Lock().
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  std::int64_t Changes() const { return sqlite3_changes(db_); }

  // The last store-health error (see above) since the last successful outermost COMMIT; OK when
  // there is none. Takes the lock.
  Status LastHealthError();
  // A read-only statement on the schema table: OK when the file answers reads. Writes nothing. Takes
  // the lock.
  Status ProbeRead();
  // For tests: called with each statement's SQL as it is prepared (empty function: none). Caller holds
  // Lock().
  void SetPrepareObserver(std::function<void(std::string_view sql)> observer) { prepare_observer_ = std::move(observer); }

 private:
  friend class Statement;
  friend class Transaction;
  explicit Database(sqlite3* db) : db_(db) {}
  void Undo(std::size_t down_to);
  // Remembers `error` when `code` says the file is in trouble. Caller holds the lock.
  void NoteError(int code, const Status& error);

  sqlite3* db_ = nullptr;
  std::recursive_mutex mu_;
  int depth_ = 0;                              // open Transactions (guarded by mu_)
  std::vector<std::function<void()>> undo_;    // guarded by mu_
  Status health_error_;                        // guarded by mu_
  std::function<void(std::string_view)> prepare_observer_;  // guarded by mu_
};

// Takes the Database lock and runs BEGIN IMMEDIATE, or SAVEPOINT when the thread already has a
// Transaction open; rolls back (to the savepoint) on destruction unless Commit() succeeded.
class Transaction {
 public:
  // `proves_health` false: its commit does not clear the store-health error. For small bookkeeping rows
  // (the audit row of a request whose own write just failed on a full file) that still fit where the
  // real change did not: they must not report the store writable again.
  explicit Transaction(Database& db, bool proves_health = true);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status begin_status() const { return begin_status_; }
  Status Commit();

 private:
  Database& db_;
  std::unique_lock<std::recursive_mutex> lock_;
  int level_ = 0;  // 0: the outermost, BEGIN/COMMIT; deeper: a savepoint
  std::size_t undo_mark_ = 0;
  std::int64_t changes_at_begin_ = 0;  // sqlite3_total_changes64 at BEGIN
  Status begin_status_;
  bool done_ = false;
  bool proves_health_ = true;
};

template <typename Fn>
auto Database::RunInTransaction(Fn&& fn) -> decltype(fn()) {
  Transaction txn(*this);
  if (!txn.begin_status().ok()) return txn.begin_status();
  auto result = fn();
  if (!result.ok()) return result;
  Status committed = txn.Commit();
  if (!committed.ok()) return committed;
  return result;
}

}  // namespace buildfarm::scheduler
