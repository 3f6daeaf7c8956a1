#include "scheduler/server/alert_receiver.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace buildfarm::scheduler {

AlertReceiver::AlertReceiver(Database& database, SchedulerService& service, NodeStore& nodes,
                             FailoverStore& failovers, double hold_down_seconds, const Logger& log, Clock clock)
    : database_(database),
      service_(service),
      nodes_(nodes),
      failovers_(failovers),
      hold_down_seconds_(hold_down_seconds),
      log_(log),
      clock_(std::move(clock)) {}

AlertReceiver::~AlertReceiver() { Stop(); }

void AlertReceiver::Start() { worker_ = std::thread([this] { Loop(); }); }

void AlertReceiver::Stop() {
  {
    MutexLock lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

bool AlertReceiver::Enqueue(AlertNotification notification) {
  {
    MutexLock lock(queue_mu_);
    if (queue_.size() >= kMaxQueuedNotifications) return false;
    for (const Alert& alert : notification.alerts) service_.metrics().CountAlert(alert.firing ? "firing" : "resolved");
    queue_.push_back(std::move(notification));
  }
  queue_cv_.notify_all();
  return true;
}

void AlertReceiver::WaitIdle() {
  MutexLock lock(queue_mu_);
  lock.Wait(idle_cv_, [this]() REQUIRES(queue_mu_) { return (queue_.empty() && !busy_) || stopping_; });
}

void AlertReceiver::Loop() {
  // Hold-downs are checked at least this often, so an uncordon is at most this late.
  const auto tick = std::chrono::milliseconds(static_cast<int>(std::clamp(hold_down_seconds_ / 4, 0.05, 1.0) * 1000));
  MutexLock lock(queue_mu_);
  while (!stopping_) {
    lock.WaitFor(queue_cv_, tick, [this]() REQUIRES(queue_mu_) { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    while (!queue_.empty()) {
      AlertNotification notification = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.Unlock();
      Handle(notification);
      lock.Lock();
      busy_ = false;
    }
    idle_cv_.notify_all();
    lock.Unlock();
    ReleaseHoldDowns();
    lock.Lock();
  }
  idle_cv_.notify_all();
}

bool AlertReceiver::MayAct(const Alert& alert, Tally& tally) {
  if (alert.Label("action") != "failover") {
    log_.Debug("alert without action=failover ignored", {{"alert", alert.name()}});
    return false;
  }
  if (service_.config().failover_alerts.count(alert.name()) == 0) {
    service_.metrics().CountDisallowedAlert();
    ++tally.not_allowed[alert.name()];
    return false;
  }
  return true;
}

void AlertReceiver::Handle(const AlertNotification& notification) {
  MutexLock lock(handle_mu_);
  const double now = clock_();
  Tally tally;
  std::vector<const Alert*> acting;
  for (const Alert& alert : notification.alerts) {
    if (MayAct(alert, tally)) acting.push_back(&alert);
  }
  for (const auto& [name, count] : tally.not_allowed) {
    log_.Warn("alert may not fail nodes over (not in failover.alerts); ignored",
              {{"alert", name}, {"alerts", std::to_string(count)}});
  }
  if (acting.empty()) return;
  // One transaction for the notification; a savepoint per alert.
  Status handled = database_.RunInTransaction([&]() -> Status {
    for (const Alert* alert : acting) {
      Status one = database_.RunInTransaction([&] { return HandleOne(*alert, now, tally); });
      if (!one.ok()) {
        log_.Error("cannot handle an alert; left unseen for its next notification",
                   {{"alert", alert->name()}, {"fingerprint", alert->fingerprint}, {"err", one.ToString()}});
      }
    }
    return failovers_.PruneSeenAlerts().WithContext("prune seen alerts");
  });
  if (!handled.ok()) {
    log_.Error("cannot handle a notification; its alerts are left unseen for the next one",
               {{"alerts", std::to_string(acting.size())}, {"err", handled.ToString()}});
    return;
  }
  for (const auto& [node, count] : tally.merged) {
    log_.Info("alerts merged into the node's open failover (node already cordoned)",
              {{"node", node}, {"alerts", std::to_string(count)}});
  }
}

Status AlertReceiver::HandleOne(const Alert& alert, double now, Tally& tally) {
  auto fresh = failovers_.MarkAlertSeen(alert.fingerprint, alert.starts_at, alert.firing, now);
  if (!fresh.ok()) return fresh.status().WithContext("record the alert");
  if (!*fresh) {
    log_.Debug("alert already handled", {{"alert", alert.name()}, {"fingerprint", alert.fingerprint}});
    return Status::Ok();
  }
  const std::string node = alert.Label("node");
  auto record = nodes_.Get(node);
  if (!record.ok()) {
    service_.metrics().CountUnknownNodeAlert();
    log_.Warn("alert for an unknown node", {{"alert", alert.name()}, {"node", node},
                                            {"status", alert.firing ? "firing" : "resolved"}});
    return Status::Ok();
  }
  return alert.firing ? HandleFiring(alert, *record, now, tally) : HandleResolved(alert, node, now);
}

Status AlertReceiver::HandleFiring(const Alert& alert, const NodeRecord& node, double now, Tally& tally) {
  auto alert_cordoned = failovers_.HasAlertCordon(node.name);
  if (!alert_cordoned.ok()) return alert_cordoned.status().WithContext("read alert cordons");
  // A node the operator cordoned stays theirs: the alert moves its work, but its resolution won't uncordon it.
  if (!node.cordoned || *alert_cordoned) {
    BUILDFARM_RETURN_IF_ERROR(failovers_.AddAlertCordon({node.name, alert.fingerprint, alert.name(), now, std::nullopt})
                                  .WithContext("record an alert cordon"));
  }
  if (node.cordoned) {
    // Cordoned by a failover that is still open: nothing new can have reached the node since, so the alert
    // joins that failover rather than making another.
    auto merged = failovers_.MergeIntoOpenFailover(node.name);
    if (!merged.ok()) return merged.status().WithContext("merge into the open failover of " + node.name);
    if (*merged) {
      service_.metrics().CountMergedAlert();
      ++tally.merged[node.name];
      return Status::Ok();
    }
  }
  const std::string reason = alert.name().empty() ? "alert" : alert.name();
  auto failover = service_.failover().FailOver(node.name, reason, "", /*cordon=*/true, now);
  if (!failover.ok()) return failover.status().WithContext("alert failover of " + node.name);
  return Status::Ok();
}

Status AlertReceiver::HandleResolved(const Alert& alert, const std::string& node, double now) {
  auto resolved = failovers_.ResolveAlertCordon(node, alert.fingerprint, now);
  if (!resolved.ok()) return resolved.status().WithContext("record an alert resolution");
  if (!*resolved) {
    log_.Info("resolved alert had not cordoned the node; nothing to undo", {{"node", node}, {"alert", alert.name()}});
  } else {
    log_.Info("alert resolved; uncordon after the hold-down", {{"node", node}, {"alert", alert.name()},
                                                               {"hold_down_seconds", std::to_string(hold_down_seconds_)}});
  }
  return Status::Ok();
}

void AlertReceiver::ReleaseHoldDowns() {
  MutexLock lock(handle_mu_);
  const double now = clock_();
  auto cordons = failovers_.AlertCordons();
  if (!cordons.ok()) {
    log_.Error("cannot read alert cordons", {{"err", cordons.status().ToString()}});
    return;
  }
  // Per node: the latest resolution, or nullopt while any of its alerts still fires.
  std::map<std::string, std::optional<double>> latest;
  for (const AlertCordon& c : *cordons) {
    auto [it, inserted] = latest.emplace(c.node, c.resolved_at);
    if (!inserted && it->second) it->second = c.resolved_at ? std::max(*it->second, *c.resolved_at) : c.resolved_at;
  }
  for (const auto& [node, resolved_at] : latest) {
    if (!resolved_at || now < *resolved_at + hold_down_seconds_) continue;
    if (!service_.failover().HeartbeatsHealthy(node, now)) {
      if (deferred_logged_.insert(node).second) {
        log_.Warn("hold-down over but heartbeats unhealthy; node stays cordoned", {{"node", node}});
      }
      continue;
    }
    deferred_logged_.erase(node);
    Status forgotten = database_.RunInTransaction([&, &name = node]() -> Status {
      BUILDFARM_RETURN_IF_ERROR(nodes_.SetCordoned(name, false));
      if (audit_ != nullptr) {
        BUILDFARM_RETURN_IF_ERROR(audit_->AppendAutomatic("uncordon", name, "alert resolved, hold-down over", now).status());
      }
      return failovers_.ForgetAlertState(name);
    });
    if (!forgotten.ok()) {
      log_.Error("cannot uncordon after the hold-down", {{"node", node}, {"err", forgotten.ToString()}});
      continue;
    }
    log_.Info("node uncordoned after the hold-down", {{"node", node}});
    service_.Wake();
  }
}

}  // namespace buildfarm::scheduler
