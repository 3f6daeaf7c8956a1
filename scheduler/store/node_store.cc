#include "scheduler/store/node_store.h"


#include <nlohmann/json.hpp>

namespace buildfarm::scheduler {
namespace {

// Schema DDL, SQLite dialect (REAL, INTEGER for booleans).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS nodes (
  name TEXT PRIMARY KEY,
  labels TEXT NOT NULL DEFAULT '{}',
  profiles TEXT NOT NULL DEFAULT '[]',
  cores REAL NOT NULL DEFAULT 0,
  memory_bytes INTEGER NOT NULL DEFAULT 0,
  disk_bytes INTEGER NOT NULL DEFAULT 0,
  cordoned INTEGER NOT NULL DEFAULT 0,
  draining INTEGER NOT NULL DEFAULT 0,
  registered_at REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS node_state_changes (node TEXT NOT NULL, at REAL NOT NULL, down INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS node_state_changes_by_node ON node_state_changes(node, at);
)sql";

}  // namespace

Result<std::unique_ptr<NodeStore>> NodeStore::Open(const std::string& path, double now) {
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  return Open(std::move(db).value(), now);
}

Result<std::unique_ptr<NodeStore>> NodeStore::Open(std::shared_ptr<Database> db, double now) {
  std::unique_ptr<NodeStore> store(new NodeStore(std::move(db)));
  Transaction txn(*store->db_);
  BUILDFARM_RETURN_IF_ERROR(txn.begin_status());
  BUILDFARM_RETURN_IF_ERROR(store->db_->Exec(kSchema));
  BUILDFARM_RETURN_IF_ERROR(store->Load(now));
  BUILDFARM_RETURN_IF_ERROR(txn.Commit());
  return store;
}
Status NodeStore::Load(double now) {
  auto stmt = db_->Prepare(
      "SELECT name, labels, profiles, cores, memory_bytes, disk_bytes, cordoned, draining, registered_at FROM nodes");
  if (!stmt.ok()) return stmt.status();
  while (stmt->Step()) {
    NodeRecord node;
    node.name = stmt->ColumnText(0);
    auto labels = nlohmann::json::parse(stmt->ColumnText(1), nullptr, false);
    if (labels.is_object()) {
      for (auto& [k, v] : labels.items()) {
        if (v.is_string()) node.labels[k] = v.get<std::string>();
      }
    }
    auto profiles = nlohmann::json::parse(stmt->ColumnText(2), nullptr, false);
    if (profiles.is_array()) {
      for (auto& p : profiles) {
        if (p.is_string()) node.profiles.push_back(p.get<std::string>());
      }
    }
    node.capacity.cores = stmt->ColumnDouble(3);
    node.capacity.memory_bytes = stmt->ColumnInt(4);
    node.capacity.disk_bytes = stmt->ColumnInt(5);
    node.cordoned = stmt->ColumnInt(6) != 0;
    node.draining = stmt->ColumnInt(7) != 0;
    node.registered_at = stmt->ColumnDouble(8);
    node.last_heartbeat = now;
    MutexLock lock(mu_);
    nodes_[node.name] = std::move(node);
  }
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  // A restart gives every node a fresh lease: a node last recorded down counts as up from now.
  auto last_down = db_->Prepare(
      "SELECT node FROM node_state_changes c WHERE down = 1 AND at = (SELECT MAX(at) FROM node_state_changes "
      "WHERE node = c.node)");
  if (!last_down.ok()) return last_down.status();
  std::vector<std::string> revived;
  while (last_down->Step()) revived.push_back(last_down->ColumnText(0));
  BUILDFARM_RETURN_IF_ERROR(last_down->status());
  for (const std::string& name : revived) RecordChange(name, now, false);
  return Status::Ok();
}

void NodeStore::RecordChange(const std::string& name, double at, bool down) {
  auto stmt = db_->Prepare("INSERT INTO node_state_changes (node, at, down) VALUES (?1, ?2, ?3)");
  if (!stmt.ok()) return;
  stmt->Bind(1, name).Bind(2, at).Bind(3, static_cast<std::int64_t>(down ? 1 : 0));
  (void)stmt->Run();
}

Result<std::int64_t> NodeStore::PruneStateChanges(double before, int batch) {
  auto lock = db_->Lock();
  // SQLite dialect: rowid, as in StateChanges, orders changes recorded at the same time.
  auto stmt = db_->Prepare(
      "DELETE FROM node_state_changes WHERE rowid IN (SELECT c.rowid FROM node_state_changes c WHERE c.at < ?1 "
      "AND EXISTS (SELECT 1 FROM node_state_changes n WHERE n.node = c.node AND n.at < ?1 "
      "AND (n.at > c.at OR (n.at = c.at AND n.rowid > c.rowid))) LIMIT ?2)");
  if (!stmt.ok()) return stmt.status();
  BUILDFARM_RETURN_IF_ERROR(stmt->Bind(1, before).Bind(2, batch).Run());
  return db_->Changes();
}

Result<std::vector<StateChange>> NodeStore::StateChanges(const std::string& name, double since) {
  auto lock = db_->Lock();
  // SQLite dialect: rowid orders changes recorded at the same time.
  auto stmt = db_->Prepare(
      "SELECT at, down FROM (SELECT at, down, rowid AS r FROM node_state_changes WHERE node = ?1 AND at < ?2 "
      "ORDER BY at DESC, rowid DESC LIMIT 1) UNION ALL SELECT at, down FROM (SELECT at, down, rowid AS r FROM "
      "node_state_changes WHERE node = ?1 AND at >= ?2) ORDER BY 1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, name).Bind(2, since);
  std::vector<StateChange> changes;
  while (stmt->Step()) changes.push_back({stmt->ColumnDouble(0), stmt->ColumnInt(1) != 0});
  BUILDFARM_RETURN_IF_ERROR(stmt->status());
  return changes;
}

Status NodeStore::Save(const NodeRecord& node) {
  auto stmt = db_->Prepare(
      "INSERT INTO nodes (name, labels, profiles, cores, memory_bytes, disk_bytes, cordoned, draining, registered_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(name) DO UPDATE SET labels = ?2, profiles = ?3, "
      "cores = ?4, memory_bytes = ?5, disk_bytes = ?6, cordoned = ?7, draining = ?8, registered_at = ?9");
  if (!stmt.ok()) return stmt.status();
  nlohmann::json labels(node.labels);
  nlohmann::json profiles(node.profiles);
  stmt->Bind(1, node.name).Bind(2, labels.dump()).Bind(3, profiles.dump()).Bind(4, node.capacity.cores);
  stmt->Bind(5, node.capacity.memory_bytes).Bind(6, node.capacity.disk_bytes);
  stmt->Bind(7, node.cordoned ? 1 : 0).Bind(8, node.draining ? 1 : 0).Bind(9, node.registered_at);
  return stmt->Run();
}

void NodeStore::UndoOnRollback(const std::string& name, std::optional<NodeRecord> previous) {
  db_->OnRollback([this, name, previous = std::move(previous)] {
    MutexLock lock(mu_);
    if (previous) {
      nodes_[name] = *previous;
    } else {
      nodes_.erase(name);
    }
  });
}

Result<NodeRecord> NodeStore::Register(const NodeRecord& node, double now) {
  auto db_lock = db_->Lock();
  MutexLock lock(mu_);
  NodeRecord updated = node;
  auto it = nodes_.find(node.name);
  std::optional<NodeRecord> previous;
  if (it != nodes_.end()) {
    previous = it->second;
    updated.cordoned = it->second.cordoned;
    updated.draining = it->second.draining;
  }
  const bool coming_up = it == nodes_.end() || it->second.down;
  updated.registered_at = now;
  updated.last_heartbeat = now;
  updated.down = false;
  BUILDFARM_RETURN_IF_ERROR(Save(updated));
  if (coming_up) RecordChange(node.name, now, false);
  nodes_[node.name] = updated;
  UndoOnRollback(node.name, std::move(previous));
  return updated;
}

Result<NodeRecord> NodeStore::Get(const std::string& name) {
  MutexLock lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return NotFound("node " + name + " not found");
  return it->second;
}

std::vector<NodeRecord> NodeStore::List() {
  MutexLock lock(mu_);
  std::vector<NodeRecord> out;
  out.reserve(nodes_.size());
  for (const auto& [name, node] : nodes_) out.push_back(node);
  return out;
}

Result<bool> NodeStore::Heartbeat(const std::string& name, double now) {
  auto db_lock = db_->Lock();
  MutexLock lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return NotFound("node " + name + " not found");
  const NodeRecord previous = it->second;
  it->second.last_heartbeat = now;
  it->second.down = false;
  if (previous.down) RecordChange(name, now, false);
  UndoOnRollback(name, previous);
  return previous.down;
}

template <typename Change>
Status NodeStore::UpdateFlags(const std::string& name, Change change) {
  MutexLock lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return NotFound("node " + name + " not found");
  NodeRecord updated = it->second;
  change(updated);
  BUILDFARM_RETURN_IF_ERROR(Save(updated));
  UndoOnRollback(name, it->second);
  it->second = updated;
  return Status::Ok();
}

Status NodeStore::SetCordoned(const std::string& name, bool cordoned) {
  auto db_lock = db_->Lock();
  return UpdateFlags(name, [cordoned](NodeRecord& node) { node.cordoned = cordoned; });
}

Status NodeStore::SetDraining(const std::string& name, bool draining) {
  auto db_lock = db_->Lock();
  return UpdateFlags(name, [draining](NodeRecord& node) { node.draining = draining; });
}

Status NodeStore::SetReady(const std::string& name) {
  auto db_lock = db_->Lock();
  return UpdateFlags(name, [](NodeRecord& node) {
    node.cordoned = false;
    node.draining = false;
  });
}

bool NodeStore::MarkDown(const std::string& name, double now) {
  auto db_lock = db_->Lock();
  MutexLock lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end() || it->second.down) return false;
  UndoOnRollback(name, it->second);
  it->second.down = true;
  RecordChange(name, now, true);
  return true;
}

}  // namespace buildfarm::scheduler
