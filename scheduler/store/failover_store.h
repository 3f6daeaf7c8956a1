// FailoverStore: the durable side of failover, in the scheduler's shared Database next to the jobs.
//
// - Failover records: every time a node's work was moved (lease expiry, an alert, an operator), with the
//   reason, time, source, target (a node or "pool"), the job ids moved and how many later alerts were
//   merged into it. Kept newest-last; the oldest are pruned past kMaxFailoverRecords.
// - Open failovers: per node, the failover that cordoned it. While the node stays cordoned, later firing
//   alerts for it merge into that record (MergeIntoOpenFailover) rather than make new ones, so an alert
//   storm is one failover. An operator's cordon, uncordon, drain or manual failover and a hold-down's
//   uncordon close it (ForgetAlertState).
// - Seen alert notifications: the webhook's idempotency keys (fingerprint, startsAt, status), so an
//   Alertmanager retry, its repeat notifications or a scheduler restart do not act twice. Pruned to the
//   newest kMaxSeenAlerts by PruneSeenAlerts (once per notification, not per alert).
// - Alert cordons: which nodes an alert cordoned (node, fingerprint, alert name), and when that alert
//   resolved, so a resolution uncordons only what an alert cordoned, after the hold-down, and an
//   operator's own cordon is never undone.
//
// Thread-safe: calls are serialized on the shared Database and join a transaction the caller has open
// (a failover's record commits with its requeue). Time is passed in by the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler/store/sqlite.h"

namespace buildfarm::scheduler {

struct FailoverRecord {
  std::int64_t id = 0;
  double at = 0;       // unix seconds
  std::string reason;  // "lease", "manual" or the alert's name (e.g. "BuildNodeDown")
  std::string source;  // the failed node
  std::string target;  // the node the work was sent to, or "pool"
  std::vector<std::string> jobs;
  std::int64_t merged_alerts = 0;  // later firing alerts for the still-cordoned node, merged into this one
};

struct AlertCordon {
  std::string node;
  std::string fingerprint;
  std::string alert;
  double cordoned_at = 0;
  std::optional<double> resolved_at;
};

class FailoverStore {
 public:
  static constexpr int kMaxFailoverRecords = 10000;
  static constexpr int kMaxSeenAlerts = 10000;

  static Result<std::unique_ptr<FailoverStore>> Open(std::shared_ptr<Database> db);
  static Result<std::unique_ptr<FailoverStore>> Open(const std::string& path);

  // Stores the record; returns it with its id.
  Result<FailoverRecord> Record(FailoverRecord record);
  // Newest first.
  Result<std::vector<FailoverRecord>> List(int limit);

  // Makes `failover_id` the node's open failover (replacing an earlier one).
  Status OpenFailover(const std::string& node, std::int64_t failover_id);
  // Counts one more alert merged into the node's open failover; its id, or nullopt when the node has none
  // (or its record was pruned).
  Result<std::optional<std::int64_t>> MergeIntoOpenFailover(const std::string& node);

  // Remembers the key; true when it is new (act on it), false when it was seen before.
  Result<bool> MarkAlertSeen(const std::string& fingerprint, const std::string& starts_at, bool firing, double now);
  // Keeps the newest kMaxSeenAlerts keys.
  Status PruneSeenAlerts();

  // Cordons by alerts: add (replacing an earlier resolution of the same alert), resolve, list, forget.
  Status AddAlertCordon(const AlertCordon& cordon);
  // Sets resolved_at on the node's row for that fingerprint; false when there is none.
  Result<bool> ResolveAlertCordon(const std::string& node, const std::string& fingerprint, double now);
  Result<std::vector<AlertCordon>> AlertCordons();
  Result<bool> HasAlertCordon(const std::string& node);
  // The operator (or the hold-down) takes the node back: forgets its alert cordons, so a later
  // resolution undoes nothing, and closes its open failover, so a later alert fails it over anew.
  Status ForgetAlertState(const std::string& node);

 private:
  explicit FailoverStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  Status CreateSchema();

  std::shared_ptr<Database> db_;
};

}  // namespace buildfarm::scheduler
