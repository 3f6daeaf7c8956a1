#include "common/git_publisher/publish_metrics.h"

#include "common/git_publisher/secret_guard.h"

namespace buildfarm::git_publisher {
namespace {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddSample(prometheus::MetricFamily& family, const std::string& label, const std::string& value, double number) {
  prometheus::ClientMetric metric;
  if (!label.empty()) metric.label.push_back({label, value});
  if (family.type == prometheus::MetricType::Counter) {
    metric.counter.value = number;
  } else {
    metric.gauge.value = number;
  }
  family.metric.push_back(std::move(metric));
}

}  // namespace

PublishMetrics::PublishMetrics() {
  for (const char* result : {"ok", "unchanged", "rejected", "unavailable", "auth_failed", "error", "invalid"}) attempts_[result] = 0;
  for (const auto& reason : SecretReasons()) refusals_[reason] = 0;
}

void PublishMetrics::RecordAttempt(const std::string& result) {
  MutexLock lock(mutex_);
  ++attempts_[result];
}

void PublishMetrics::RecordSuccess(double unix_seconds) {
  MutexLock lock(mutex_);
  last_success_ = unix_seconds;
}

void PublishMetrics::RecordRefusal(const std::string& reason) {
  MutexLock lock(mutex_);
  ++refusals_[reason];
}

std::uint64_t PublishMetrics::attempts(const std::string& result) const {
  MutexLock lock(mutex_);
  auto it = attempts_.find(result);
  return it == attempts_.end() ? 0 : it->second;
}

std::uint64_t PublishMetrics::refusals(const std::string& reason) const {
  MutexLock lock(mutex_);
  auto it = refusals_.find(reason);
  return it == refusals_.end() ? 0 : it->second;
}

std::vector<prometheus::MetricFamily> PublishMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  MutexLock lock(mutex_);
  auto& last = families.emplace_back(Family("buildfarm_publish_last_success_timestamp_seconds",
                                            "Unix time of the last flush that left the remote up to date.",
                                            prometheus::MetricType::Gauge));
  AddSample(last, "", "", last_success_);
  auto& attempts = families.emplace_back(Family("buildfarm_publish_attempts_total",
                                                "Push attempts (and flushes with nothing to push) by result.",
                                                prometheus::MetricType::Counter));
  for (const auto& [result, count] : attempts_) AddSample(attempts, "result", result, static_cast<double>(count));
  auto& pending = families.emplace_back(Family("buildfarm_publish_pending", "Files staged but not yet pushed.",
                                               prometheus::MetricType::Gauge));
  AddSample(pending, "", "", static_cast<double>(pending_.load()));
  auto& refused = families.emplace_back(Family("buildfarm_publish_refused_total",
                                               "Documents refused by the secret guard, by kind of secret.",
                                               prometheus::MetricType::Counter));
  for (const auto& [reason, count] : refusals_) AddSample(refused, "reason", reason, static_cast<double>(count));
  return families;
}

}  // namespace buildfarm::git_publisher
