#include "scheduler/metrics_source/prometheus_source.h"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "common/http_client.h"
#include "scheduler/metrics_source/prometheus_response.h"

namespace buildfarm::scheduler {
namespace {

enum class Field { kCpu, kMemory, kBuildFs, kTemperature, kProbeRtt };

struct FieldQuery {
  Field field;
  const std::string* promql;
};

// Per-node values gathered during one refresh before they are published.
struct PartialNode {
  NodeMetrics metrics;
  bool has_cpu = false;
  bool has_memory = false;
  bool has_build_fs = false;
  double oldest_sample = std::numeric_limits<double>::infinity();  // Unix seconds
};

std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Time FromUnixSeconds(double seconds) {
  return Time(std::chrono::duration_cast<Clock::duration>(Seconds(seconds)));
}

std::int64_t ToBytes(double value) {
  if (value <= 0) return 0;
  if (value >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(value);
}

// Cautious merge when one node has several series for a value.
void Apply(Field field, const InstantSample& sample, const std::string& target_label, PartialNode& node) {
  const double v = sample.value;
  NodeMetrics& m = node.metrics;
  switch (field) {
    case Field::kCpu:
      m.cpu_utilisation = node.has_cpu ? std::max(m.cpu_utilisation, v) : v;
      node.has_cpu = true;
      break;
    case Field::kMemory:
      m.memory_available_bytes = node.has_memory ? std::min(m.memory_available_bytes, ToBytes(v)) : ToBytes(v);
      node.has_memory = true;
      break;
    case Field::kBuildFs:
      m.build_fs_available_bytes = node.has_build_fs ? std::min(m.build_fs_available_bytes, ToBytes(v)) : ToBytes(v);
      node.has_build_fs = true;
      break;
    case Field::kTemperature:
      m.max_temperature_celsius = m.max_temperature_celsius ? std::max(*m.max_temperature_celsius, v) : v;
      break;
    case Field::kProbeRtt: {
      auto target = sample.labels.find(target_label);
      if (target == sample.labels.end()) return;
      auto [it, inserted] = m.probe_rtt_seconds.emplace(target->second, v);
      if (!inserted) it->second = std::max(it->second, v);
      break;
    }
  }
}

}  // namespace

PrometheusMetricsSource::PrometheusMetricsSource(PrometheusSourceOptions options, Logger logger)
    : options_(std::move(options)), logger_(logger), snapshot_(std::make_shared<const MetricsSnapshot>()) {}

PrometheusMetricsSource::~PrometheusMetricsSource() { Stop(); }

Status PrometheusMetricsSource::Start() {
  if (thread_.joinable()) return Status(StatusCode::kFailedPrecondition, "metrics source already started");
  auto url = ParseUrl(options_.url);
  if (!url.ok()) return url.status().WithContext("prometheus url");
  {
    MutexLock lock(run_mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  logger_.Info("metrics source started", {{"url", options_.url}});
  return Status::Ok();
}

void PrometheusMetricsSource::Stop() {
  {
    MutexLock lock(run_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PrometheusMetricsSource::Run() {
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      Seconds(std::max(0.05, options_.refresh_seconds)));
  for (;;) {
    const auto next = std::chrono::steady_clock::now() + period;
    (void)RefreshOnce();  // the outcome is recorded in the snapshot and logged
    MutexLock lock(run_mu_);
    if (lock.WaitUntil(wake_, next, [this]() REQUIRES(run_mu_) { return stopping_; })) return;
  }
}

std::shared_ptr<const MetricsSnapshot> PrometheusMetricsSource::Latest() const {
  MutexLock lock(snapshot_mu_);
  return snapshot_;
}

void PrometheusMetricsSource::Publish(std::shared_ptr<const MetricsSnapshot> snapshot) {
  MutexLock lock(snapshot_mu_);
  snapshot_ = std::move(snapshot);
}

Status PrometheusMetricsSource::RefreshOnce() {
  MutexLock lock(refresh_mu_);
  return RefreshLocked();
}

Status PrometheusMetricsSource::RefreshLocked() {
  const Time attempt_at = Clock::now();
  const bool was_ok = Latest()->last_attempt_ok || Latest()->last_attempt_at == Time{};

  auto fetch = [this](const std::string& promql) REQUIRES(refresh_mu_) -> Result<std::vector<InstantSample>> {
    auto reply = client_->Get("/api/v1/query?query=" + QueryEscape(promql));
    if (!reply.ok()) return reply.status();
    auto parsed = ParseInstantVector(reply->body);
    if (reply->status != 200) {
      std::string message = "HTTP " + std::to_string(reply->status);
      if (!parsed.ok()) message += ": " + parsed.status().message();
      return Status(StatusCode::kUnavailable, message);
    }
    return parsed;
  };

  Status status;
  std::map<std::string, PartialNode> nodes;
  if (!client_) {
    auto client = HttpClient::Create(options_.url, "", options_.timeout_seconds, options_.timeout_seconds,
                                     options_.timeout_seconds, options_.tls);
    if (client.ok()) {
      client_ = std::move(client).value();
    } else {
      status = client.status().WithContext("prometheus url");
    }
  }

  const FieldQuery queries[] = {{Field::kCpu, &options_.queries.cpu_utilisation},
                                {Field::kMemory, &options_.queries.memory_available},
                                {Field::kBuildFs, &options_.queries.build_fs_available},
                                {Field::kTemperature, &options_.queries.max_temperature},
                                {Field::kProbeRtt, &options_.queries.probe_rtt}};
  for (const FieldQuery& query : queries) {
    if (!status.ok()) break;
    if (query.promql->empty()) continue;  // an empty query switches that value off
    auto values = fetch(*query.promql);
    if (!values.ok()) {
      status = values.status().WithContext("query " + *query.promql);
      break;
    }
    // timestamp() returns when each series' sample was recorded, not when the query ran.
    auto stamps = fetch("timestamp(" + *query.promql + ")");
    if (!stamps.ok()) {
      status = stamps.status().WithContext("query timestamp(" + *query.promql + ")");
      break;
    }
    for (const InstantSample& sample : *values) {
      auto node = sample.labels.find(options_.node_label);
      if (node == sample.labels.end() || !std::isfinite(sample.value)) continue;
      PartialNode& partial = nodes[node->second];
      Apply(query.field, sample, options_.probe_target_label, partial);
      partial.oldest_sample = std::min(partial.oldest_sample, sample.timestamp_seconds);
    }
    for (const InstantSample& stamp : *stamps) {
      auto node = stamp.labels.find(options_.node_label);
      if (node == stamp.labels.end() || !std::isfinite(stamp.value)) continue;
      auto it = nodes.find(node->second);
      if (it != nodes.end()) it->second.oldest_sample = std::min(it->second.oldest_sample, stamp.value);
    }
  }

  auto next = std::make_shared<MetricsSnapshot>();
  next->last_attempt_at = attempt_at;
  if (!status.ok()) {
    const auto previous = Latest();
    next->nodes = previous->nodes;
    next->fetched_at = previous->fetched_at;
    next->last_attempt_ok = false;
    next->last_error = status.ToString();
    if (was_ok || previous->last_error != next->last_error) {
      logger_.Warn("metrics refresh failed; keeping the last snapshot", {{"err", next->last_error}});
    }
    Publish(std::move(next));
    return status;
  }

  std::vector<std::string> incomplete;
  for (auto& [name, partial] : nodes) {
    if (!partial.has_cpu || !partial.has_memory || !partial.has_build_fs) {
      incomplete.push_back(name);
      continue;
    }
    partial.metrics.sample_time = FromUnixSeconds(partial.oldest_sample);
    next->nodes.emplace(name, std::move(partial.metrics));
  }
  next->fetched_at = attempt_at;
  next->last_attempt_ok = true;
  if (!was_ok) logger_.Info("metrics refresh recovered", {{"nodes", std::to_string(next->nodes.size())}});
  if (!incomplete.empty()) {
    std::string names;
    for (const auto& name : incomplete) names += (names.empty() ? "" : ",") + name;
    logger_.Debug("nodes without cpu, memory or build filesystem values left out", {{"nodes", names}});
  }
  Publish(std::move(next));
  return Status::Ok();
}

}  // namespace buildfarm::scheduler
