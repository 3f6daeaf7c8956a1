#include "scheduler/store/audit_store.h"

#include <algorithm>
#include <cmath>

#include "scheduler/store/digest.h"

namespace buildfarm::scheduler {
namespace {

constexpr int kVerifyBatch = 1000;

// Schema DDL, SQLite dialect. `id` is set by Append (it is part of the hashed fields), not by the engine.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, principal TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, node TEXT NOT NULL, result TEXT NOT NULL, source TEXT NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit(at_ms);
CREATE INDEX IF NOT EXISTS audit_by_node ON audit(node, id);
)sql";

constexpr const char* kColumns =
    "id, at_ms, principal, action, target, node, result, source, detail, prev_hash, hash";

AuditEntry ReadEntry(const Statement& stmt) {
  AuditEntry e;
  e.id = stmt.ColumnInt(0);
  e.at_ms = stmt.ColumnInt(1);
  e.event = AuditEvent{stmt.ColumnText(2), stmt.ColumnText(3), stmt.ColumnText(4), stmt.ColumnText(5),
                       stmt.ColumnText(6), stmt.ColumnText(7), stmt.ColumnText(8)};
  e.prev_hash = stmt.ColumnText(9);
  e.hash = stmt.ColumnText(10);
  return e;
}

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += '\n';
}

}  // namespace

Result<std::unique_ptr<AuditStore>> AuditStore::Open(std::shared_ptr<Database> db) {
  std::unique_ptr<AuditStore> store(new AuditStore(std::move(db)));
  auto lock = store->db_->Lock();
  BUILDFARM_RETURN_IF_ERROR(store->db_->Exec(kSchema));
  return store;
}

std::string AuditStore::ChainInput(const AuditEntry& entry) {
  std::string out = entry.prev_hash + "\n";
  AppendField(out, std::to_string(entry.id));
  AppendField(out, std::to_string(entry.at_ms));
  for (const std::string* field : {&entry.event.principal, &entry.event.action, &entry.event.target, &entry.event.node,
                                   &entry.event.result, &entry.event.source, &entry.event.detail}) {
    AppendField(out, *field);
  }
  return out;
}

std::string AuditStore::ChainHash(const AuditEntry& entry) { return Sha256Hex(ChainInput(entry)); }

Result<AuditEntry> AuditStore::Append(const AuditEvent& event, double now) {
  // An audit row fits in a page where a refused change did not: it says nothing about the store's health.
  Transaction txn(*db_, /*proves_health=*/false);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  AuditEntry entry;
  entry.event = event;
  entry.at_ms = static_cast<std::int64_t>(std::llround(now * 1000));
  entry.prev_hash = kGenesisHash;
  entry.id = 1;
  auto last = db_->Prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
  if (!last.ok()) return last.status();
  if (last->Step()) {
    entry.id = last->ColumnInt(0) + 1;
    entry.prev_hash = last->ColumnText(1);
  }
  BUILDFARM_RETURN_IF_ERROR(last->status());
  entry.hash = ChainHash(entry);
  auto insert = db_->Prepare(
      "INSERT INTO audit (id, at_ms, principal, action, target, node, result, source, detail, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, entry.id).Bind(2, entry.at_ms).Bind(3, event.principal).Bind(4, event.action).Bind(5, event.target)
      .Bind(6, event.node).Bind(7, event.result).Bind(8, event.source).Bind(9, event.detail).Bind(10, entry.prev_hash)
      .Bind(11, entry.hash);
  BUILDFARM_RETURN_IF_ERROR(insert->Run());
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return entry;
}

Result<std::vector<AuditEntry>> AuditStore::List(const AuditQuery& query, bool* more) {
  auto lock = db_->Lock();
  std::string sql = std::string("SELECT ") + kColumns + " FROM audit WHERE (?1 = '' OR node = ?1)";
  if (query.since) sql += " AND at_ms >= ?3";
  // From `since` on, oldest first; otherwise the newest rows (reversed below).
  sql += query.since ? " ORDER BY id ASC LIMIT ?2" : " ORDER BY id DESC LIMIT ?2";
  auto stmt = db_->Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, query.node).Bind(2, query.limit + 1);
  if (query.since) stmt->Bind(3, static_cast<std::int64_t>(std::llround(*query.since * 1000)));
  std::vector<AuditEntry> out;
  while (stmt->Step()) out.push_back(ReadEntry(*stmt));
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  const bool has_more = out.size() > static_cast<std::size_t>(query.limit);
  if (has_more) out.pop_back();
  if (more != nullptr) *more = has_more;
  if (!query.since) std::reverse(out.begin(), out.end());
  return out;
}

Result<AuditVerification> AuditStore::Verify() {
  AuditVerification result;
  std::string previous_hash = kGenesisHash;
  std::int64_t after = 0;
  for (;;) {
    std::vector<AuditEntry> batch;
    {
      auto lock = db_->Lock();
      auto stmt = db_->Prepare(std::string("SELECT ") + kColumns + " FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2");
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after).Bind(2, kVerifyBatch);
      while (stmt->Step()) batch.push_back(ReadEntry(*stmt));
      BUILDFARM_RETURN_IF_ERROR(stmt->status());
    }
    for (const AuditEntry& entry : batch) {
      ++result.entries;
      if (!result.first_broken) {
        if (entry.prev_hash != previous_hash) {
          result.first_broken = entry.id;
          result.problem = "prev_hash is not the hash of the entry before it (an entry was changed, removed or inserted)";
        } else if (ChainHash(entry) != entry.hash) {
          result.first_broken = entry.id;
          result.problem = "hash does not match the entry's fields (the entry was changed)";
        }
      }
      previous_hash = entry.hash;
      after = entry.id;
    }
    if (batch.size() < static_cast<std::size_t>(kVerifyBatch)) break;
  }
  result.head_hash = result.entries > 0 ? previous_hash : "";
  return result;
}

}  // namespace buildfarm::scheduler
