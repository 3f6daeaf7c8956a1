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
      for (const Alert& alert : notification.alerts) Handle(alert);
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

void AlertReceiver::Handle(const Alert& alert) {
  MutexLock lock(handle_mu_);
  const double now = clock_();
  if (alert.Label("action") != "failover") {
    log_.Debug("alert without action=failover ignored", {{"alert", alert.name()}});
    return;
  }
  Status handled = database_.RunInTransaction([&]() -> Status {
    auto fresh = failovers_.MarkAlertSeen(alert.fingerprint, alert.starts_at, alert.firing, now);
    if (!fresh.ok()) return fresh.status().WithContext("record the alert");
    if (!*fresh) {
      log_.Debug("alert already handled", {{"alert", alert.name()}, {"fingerprint", alert.fingerprint}});
      return Status::Ok();
    }
    const std::string node = alert.Label("node");
    if (!nodes_.Get(node).ok()) {
      service_.metrics().CountUnknownNodeAlert();
      log_.Warn("alert for an unknown node", {{"alert", alert.name()}, {"node", node},
                                              {"status", alert.firing ? "firing" : "resolved"}});
      return Status::Ok();
    }
    return alert.firing ? HandleFiring(alert, node, now) : HandleResolved(alert, node, now);
  });
  if (!handled.ok()) {
    log_.Error("cannot handle an alert; left unseen for its next notification",
               {{"alert", alert.name()}, {"err", handled.ToString()}});
  }
}

Status AlertReceiver::HandleFiring(const Alert& alert, const std::string& node, double now) {
  auto record = nodes_.Get(node);
  auto cordons = failovers_.AlertCordons();
  if (!cordons.ok()) return cordons.status().WithContext("read alert cordons");
  const bool alert_cordoned = std::any_of(cordons->begin(), cordons->end(),
                                          [&](const AlertCordon& c) { return c.node == node; });
  // A node the operator cordoned stays theirs: the alert moves its work, but its resolution won't uncordon it.
  if (record.ok() && (!record->cordoned || alert_cordoned)) {
    BUILDFARM_RETURN_IF_ERROR(
        failovers_.AddAlertCordon({node, alert.fingerprint, alert.name(), now, std::nullopt}).WithContext("record an alert cordon"));
  }
  const std::string reason = alert.name().empty() ? "alert" : alert.name();
  auto failover = service_.failover().FailOver(node, reason, "", /*cordon=*/true, now);
  if (!failover.ok()) return failover.status().WithContext("alert failover of " + node);
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
      return failovers_.ForgetAlertCordons(name);
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
