// AlertReceiver: acts on Alertmanager's webhook notifications away from the request thread, and owns
// the policy of what an alert may do.
//
// The webhook validates a notification, hands it to Enqueue() and answers 200 at once, so Alertmanager's
// retries never pile up behind slow work. A worker thread drains the bounded queue, one notification at a
// time, in one transaction per notification (a savepoint per alert, so one alert's error undoes only its
// own part and leaves it unseen for its next notification):
// - only alerts labelled action="failover" act, and only those named in failover.alerts; the others are
//   logged (once per name and notification) and counted in buildfarm_scheduler_alerts_not_allowed_total;
// - every acting alert is deduplicated on (fingerprint, startsAt, status) in the FailoverStore, so retries,
//   repeat notifications and a scheduler restart act once (status is part of the key because a resolved
//   notification carries the firing one's fingerprint and startsAt);
// - a firing alert cordons the node of its `node` label and fails its work over (Failover::FailOver,
//   reason = the alert's name); the cordon is remembered as the alert's unless an operator had cordoned
//   the node already. While the node stays cordoned by that failover, further firing alerts for it
//   (repeats, or thousands in one storm) merge into that failover record (merged_alerts, counted in
//   buildfarm_scheduler_alerts_merged_total) instead of failing it over again: a cordoned node gets no
//   new work, so there is nothing more to move;
// - a resolved alert marks its cordon resolved; once every alert cordon of a node is resolved, the
//   hold-down (failover.hold_down) has passed since the last resolution and the node's heartbeats are
//   healthy, the node is uncordoned. A node whose heartbeats are not healthy then stays cordoned until
//   they are. An operator's cordon, uncordon, drain or manual failover forgets the alert state
//   (FailoverStore::ForgetAlertState).
// - an alert naming no known node is logged and counted, nothing else.
// An alert's seen mark commits with what it did (cordon, failover, merge, resolution), so a crash or an
// error in between leaves the alert unseen and Alertmanager's next (repeat) notification of it acts. A
// hold-down's uncordon and the forgetting of its alert state are one transaction too.
// Time comes from an injected clock so tests need not wait out a hold-down.
//
// Thread-safe: Enqueue from any thread; Handle and ReleaseHoldDowns serialize on a mutex.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "common/log.h"
#include "scheduler/alerts/alert_payload.h"
#include "scheduler/server/service.h"
#include "scheduler/store/audit_store.h"
#include "scheduler/store/failover_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

class AlertReceiver {
 public:
  static constexpr std::size_t kMaxQueuedNotifications = 256;
  using Clock = std::function<double()>;

  AlertReceiver(Database& database, SchedulerService& service, NodeStore& nodes, FailoverStore& failovers,
                double hold_down_seconds, const Logger& log, Clock clock = NowSeconds);
  ~AlertReceiver();
  AlertReceiver(const AlertReceiver&) = delete;
  AlertReceiver& operator=(const AlertReceiver&) = delete;

  void Start();
  void Stop();

  // Queues a validated notification and counts its alerts; false when the queue is full.
  bool Enqueue(AlertNotification notification);
  // Blocks until everything queued so far has been handled (tests).
  void WaitIdle();

  // The worker's steps, callable directly with the injected clock.
  void Handle(const AlertNotification& notification);
  void Handle(const Alert& alert) { Handle(AlertNotification{"", {alert}}); }
  void ReleaseHoldDowns();
  // Before Start(): where the hold-down's uncordons are audited (null: nowhere; failovers and cordons are
  // the service's Failover's).
  void SetAudit(AuditStore* audit) { audit_ = audit; }

 private:
  // What one notification did that is logged once for it, not once per alert.
  struct Tally {
    std::map<std::string, int> not_allowed;  // alert name -> alerts
    std::map<std::string, int> merged;       // node -> alerts merged into its open failover
  };
  void Loop();
  // failover.alerts and action="failover"; counts and tallies the refused.
  bool MayAct(const Alert& alert, Tally& tally);
  Status HandleOne(const Alert& alert, double now, Tally& tally);
  Status HandleFiring(const Alert& alert, const NodeRecord& node, double now, Tally& tally);
  Status HandleResolved(const Alert& alert, const std::string& node, double now);

  Database& database_;
  SchedulerService& service_;
  NodeStore& nodes_;
  FailoverStore& failovers_;
  const double hold_down_seconds_;
  const Logger& log_;
  Clock clock_;
  AuditStore* audit_ = nullptr;

  Mutex handle_mu_;                                               // one alert or hold-down pass at a time
  std::set<std::string> deferred_logged_ GUARDED_BY(handle_mu_);  // nodes whose deferred uncordon was logged

  Mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::condition_variable idle_cv_;
  std::deque<AlertNotification> queue_ GUARDED_BY(queue_mu_);
  bool busy_ GUARDED_BY(queue_mu_) = false;
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  std::thread worker_;
};

}  // namespace buildfarm::scheduler
