// NodeStore: the build nodes the scheduler knows, in the scheduler's shared Database next to the jobs.
//
// What an agent registered (labels, profiles, capacity) and an operator's cordon and drain flags are
// durable, so they survive a restart. Liveness is not: the last heartbeat and the `down` mark live in
// memory (each up/down change is also appended to node_state_changes, for uptime history), and after a restart every known node gets a fresh lease (its heartbeat counts from Open), so
// an agent has the lease time to come back before its work is failed over.
//
// Thread-safe: database work is serialized on the shared Database and joins a transaction the caller
// has open; the in-memory table has its own mutex, always taken after the Database lock. A change to
// the table made inside a transaction is undone if that transaction rolls back, so memory never shows
// a cordon or a `down` mark that was not committed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "scheduler/store/node_history.h"
#include "scheduler/store/sqlite.h"

namespace buildfarm::scheduler {

struct NodeCapacity {
  double cores = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t disk_bytes = 0;
};

struct NodeRecord {
  std::string name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> profiles;
  NodeCapacity capacity;
  bool cordoned = false;
  bool draining = false;
  double registered_at = 0;   // unix seconds of the latest registration
  double last_heartbeat = 0;  // unix seconds; in memory only
  bool down = false;          // the lease expired; in memory only
};

class NodeStore {
 public:
  // Opens `path` (the job store's file is fine) and gives every stored node a heartbeat at `now`.
  static Result<std::unique_ptr<NodeStore>> Open(std::shared_ptr<Database> db, double now);
  static Result<std::unique_ptr<NodeStore>> Open(const std::string& path, double now);

  // Creates or updates the node's labels, profiles and capacity, keeps its cordon and drain flags,
  // and marks it alive at `now`.
  Result<NodeRecord> Register(const NodeRecord& node, double now);
  Result<NodeRecord> Get(const std::string& name);
  std::vector<NodeRecord> List();

  // Heartbeat: alive at `now`. Returns whether the node was down before (it came back). NotFound
  // for an unknown node.
  Result<bool> Heartbeat(const std::string& name, double now);
  Status SetCordoned(const std::string& name, bool cordoned);
  Status SetDraining(const std::string& name, bool draining);
  // Uncordon: clears both flags.
  Status SetReady(const std::string& name);
  // Marks the node down at `now`; returns false when it already was (or is unknown).
  bool MarkDown(const std::string& name, double now);
  // The node's recorded up/down changes from `since` on, in time order, preceded by the last change
  // before `since` (so the state at `since` is known). For NodeHistory's uptime_percent.
  Result<std::vector<StateChange>> StateChanges(const std::string& name, double since);
  // Retention: deletes at most `batch` state changes older than `before` that StateChanges(node, t) for
  // t >= before never reads (all but each node's last one before `before`); returns how many.
  Result<std::int64_t> PruneStateChanges(double before, int batch);

 private:
  explicit NodeStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  Status Load(double now);
  Status Save(const NodeRecord& node);
  // Applies `change` to a stored node's flags and saves it; the caller holds the Database lock.
  template <typename Change>
  Status UpdateFlags(const std::string& name, Change change);
  // Puts `previous` back in the table if the enclosing transaction rolls back (nullopt: erase `name`).
  void UndoOnRollback(const std::string& name, std::optional<NodeRecord> previous);
  // Appends to node_state_changes. Best effort: losing one only skews uptime_percent, which must not
  // fail a heartbeat.
  void RecordChange(const std::string& name, double at, bool down);

  std::shared_ptr<Database> db_;
  Mutex mu_;  // taken after the Database lock
  std::map<std::string, NodeRecord> nodes_ GUARDED_BY(mu_);
};

}  // namespace buildfarm::scheduler
