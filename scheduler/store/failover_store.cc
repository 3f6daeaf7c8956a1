#include "scheduler/store/failover_store.h"

#include <nlohmann/json.hpp>

namespace buildfarm::scheduler {
namespace {

// Schema DDL, SQLite dialect (AUTOINCREMENT, REAL).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS failovers (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, reason TEXT NOT NULL, source TEXT NOT NULL,
  target TEXT NOT NULL, jobs TEXT NOT NULL, merged_alerts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS open_failovers (node TEXT PRIMARY KEY, failover_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alerts_seen (
  fingerprint TEXT NOT NULL, starts_at TEXT NOT NULL, status TEXT NOT NULL, seen_at REAL NOT NULL,
  PRIMARY KEY (fingerprint, starts_at, status));
CREATE INDEX IF NOT EXISTS alerts_seen_by_time ON alerts_seen(seen_at);
CREATE TABLE IF NOT EXISTS alert_cordons (
  node TEXT NOT NULL, fingerprint TEXT NOT NULL, alert TEXT NOT NULL, cordoned_at REAL NOT NULL,
  resolved_at REAL, PRIMARY KEY (node, fingerprint));
)sql";

}  // namespace

Result<std::unique_ptr<FailoverStore>> FailoverStore::Open(const std::string& path) {
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  return Open(std::move(db).value());
}

Result<std::unique_ptr<FailoverStore>> FailoverStore::Open(std::shared_ptr<Database> db) {
  std::unique_ptr<FailoverStore> store(new FailoverStore(std::move(db)));
  BUILDFARM_RETURN_IF_ERROR(store->CreateSchema());
  return store;
}

Status FailoverStore::CreateSchema() {
  auto lock = db_->Lock();
  BUILDFARM_RETURN_IF_ERROR(db_->Exec(kSchema));
  // A store made before alerts were merged has failovers without merged_alerts. SQLite dialect:
  // pragma_table_info.
  auto column = db_->Prepare("SELECT 1 FROM pragma_table_info('failovers') WHERE name = 'merged_alerts'");
  if (!column.ok()) return column.status();
  const bool present = column->Step();
  BUILDFARM_RETURN_IF_ERROR(column->status());
  if (present) return Status::Ok();
  return db_->Exec("ALTER TABLE failovers ADD COLUMN merged_alerts INTEGER NOT NULL DEFAULT 0");
}

Result<FailoverRecord> FailoverStore::Record(FailoverRecord record) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto insert = db_->Prepare(
      "INSERT INTO failovers (at, reason, source, target, jobs) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, record.at).Bind(2, record.reason).Bind(3, record.source).Bind(4, record.target)
      .Bind(5, nlohmann::json(record.jobs).dump());
  if (!insert->Step()) return insert->status().ok() ? Internal("failovers: no id returned") : insert->status();
  record.id = insert->ColumnInt(0);
  BUILDFARM_RETURN_IF_ERROR(insert->Run());
  auto prune = db_->Prepare("DELETE FROM failovers WHERE id <= ?1");
  if (!prune.ok()) return prune.status();
  BUILDFARM_RETURN_IF_ERROR(prune->Bind(1, record.id - kMaxFailoverRecords).Run());
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return record;
}

Result<std::vector<FailoverRecord>> FailoverStore::List(int limit) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "SELECT id, at, reason, source, target, jobs, merged_alerts FROM failovers ORDER BY id DESC LIMIT ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, limit);
  std::vector<FailoverRecord> out;
  while (stmt->Step()) {
    FailoverRecord r;
    r.id = stmt->ColumnInt(0);
    r.at = stmt->ColumnDouble(1);
    r.reason = stmt->ColumnText(2);
    r.source = stmt->ColumnText(3);
    r.target = stmt->ColumnText(4);
    nlohmann::json jobs = nlohmann::json::parse(stmt->ColumnText(5), nullptr, false);
    if (jobs.is_array()) {
      for (const auto& id : jobs) {
        if (id.is_string()) r.jobs.push_back(id.get<std::string>());
      }
    }
    r.merged_alerts = stmt->ColumnInt(6);
    out.push_back(std::move(r));
  }
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Result<bool> FailoverStore::MarkAlertSeen(const std::string& fingerprint, const std::string& starts_at, bool firing,
                                          double now) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  auto insert = db_->Prepare(
      "INSERT INTO alerts_seen (fingerprint, starts_at, status, seen_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
  if (!insert.ok()) return insert.status();
  BUILDFARM_RETURN_IF_ERROR(
      insert->Bind(1, fingerprint).Bind(2, starts_at).Bind(3, firing ? "firing" : "resolved").Bind(4, now).Run());
  const bool fresh = db_->Changes() > 0;
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return fresh;
}

Status FailoverStore::PruneSeenAlerts() {
  auto lock = db_->Lock();
  // SQLite dialect: rowid and LIMIT -1.
  auto prune = db_->Prepare(
      "DELETE FROM alerts_seen WHERE rowid IN (SELECT rowid FROM alerts_seen ORDER BY seen_at DESC LIMIT -1 "
      "OFFSET ?1)");
  if (!prune.ok()) return prune.status();
  return prune->Bind(1, kMaxSeenAlerts).Run();
}

Status FailoverStore::OpenFailover(const std::string& node, std::int64_t failover_id) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "INSERT INTO open_failovers (node, failover_id) VALUES (?1, ?2) ON CONFLICT (node) DO UPDATE SET failover_id = ?2");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, node).Bind(2, failover_id).Run();
}

Result<std::optional<std::int64_t>> FailoverStore::MergeIntoOpenFailover(const std::string& node) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "UPDATE failovers SET merged_alerts = merged_alerts + 1 "
      "WHERE id = (SELECT failover_id FROM open_failovers WHERE node = ?1) RETURNING id");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, node);
  std::optional<std::int64_t> id;
  if (stmt->Step()) {
    id = stmt->ColumnInt(0);
    BUILDFARM_RETURN_IF_ERROR(stmt->Run());  // to the end of the RETURNING rows
  }
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return id;
}

Status FailoverStore::AddAlertCordon(const AlertCordon& cordon) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "INSERT INTO alert_cordons (node, fingerprint, alert, cordoned_at, resolved_at) VALUES (?1, ?2, ?3, ?4, NULL) "
      "ON CONFLICT (node, fingerprint) DO UPDATE SET alert = ?3, cordoned_at = ?4, resolved_at = NULL");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, cordon.node).Bind(2, cordon.fingerprint).Bind(3, cordon.alert).Bind(4, cordon.cordoned_at).Run();
}

Result<bool> FailoverStore::ResolveAlertCordon(const std::string& node, const std::string& fingerprint, double now) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("UPDATE alert_cordons SET resolved_at = ?3 WHERE node = ?1 AND fingerprint = ?2");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, node).Bind(2, fingerprint).Bind(3, now).Run());
  return db_->Changes() > 0;
}

Result<std::vector<AlertCordon>> FailoverStore::AlertCordons() {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare(
      "SELECT node, fingerprint, alert, cordoned_at, resolved_at FROM alert_cordons ORDER BY node, cordoned_at");
  if (!stmt.ok()) return stmt.status();
  std::vector<AlertCordon> out;
  while (stmt->Step()) {
    out.push_back({stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2), stmt->ColumnDouble(3),
                   stmt->ColumnOptionalDouble(4)});
  }
  if (!stmt->status().ok()) return stmt->status();
  return out;
}

Result<bool> FailoverStore::HasAlertCordon(const std::string& node) {
  auto lock = db_->Lock();
  auto stmt = db_->Prepare("SELECT 1 FROM alert_cordons WHERE node = ?1 LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  const bool found = stmt->Bind(1, node).Step();
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return found;
}

Status FailoverStore::ForgetAlertState(const std::string& node) {
  Transaction txn(*db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  for (const char* sql : {"DELETE FROM alert_cordons WHERE node = ?1", "DELETE FROM open_failovers WHERE node = ?1"}) {
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, node).Run());
  }
  return txn.Commit();
}

}  // namespace buildfarm::scheduler
