// Test builders for the scheduler: NodeBuilder and JobBuilder make NodeViews and JobViews with sensible
// defaults (a ready, idle, freshly heartbeating 16-core node with fresh metrics; a priority-5 job) so that
// each table row states only what it is about. Not thread-safe; test-only.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"
#include "scheduler/framework/types.h"

namespace buildfarm::scheduler::testing {

constexpr std::int64_t kGiB = 1LL << 30;

// A fixed "now" for every test: plugins must never read the clock.
inline Time TestNow() { return Time(std::chrono::seconds(1'800'000'000)); }
inline Time SecondsAgo(double seconds) {
  return TestNow() - std::chrono::duration_cast<Clock::duration>(Seconds(seconds));
}

inline CycleState StateAt(Time now = TestNow()) {
  CycleState state;
  state.now = now;
  return state;
}

inline PluginArgs Args(std::initializer_list<std::pair<const char*, const char*>> values) {
  PluginArgs args;
  for (const auto& [key, value] : values) args.Set(key, value);
  return args;
}

class NodeBuilder {
 public:
  explicit NodeBuilder(std::string name = "node-a") {
    node_.name = std::move(name);
    node_.capacity = {16, 64 * kGiB, 0};
    node_.last_heartbeat = TestNow();
    NodeMetrics metrics;
    metrics.sample_time = TestNow();
    metrics.memory_available_bytes = 64 * kGiB;
    metrics.build_fs_available_bytes = 500 * kGiB;
    node_.metrics = metrics;
  }

  NodeBuilder& Name(std::string name) { node_.name = std::move(name); return *this; }
  NodeBuilder& Label(std::string key, std::string value) { node_.labels[std::move(key)] = std::move(value); return *this; }
  NodeBuilder& Profile(std::string profile) { node_.profiles.push_back(std::move(profile)); return *this; }
  NodeBuilder& Cores(double cores) { node_.capacity.cores = cores; return *this; }
  NodeBuilder& Memory(std::int64_t bytes) { node_.capacity.memory_bytes = bytes; return *this; }
  NodeBuilder& Disk(std::int64_t bytes) { node_.capacity.disk_bytes = bytes; return *this; }
  NodeBuilder& Reserved(double cores, std::int64_t memory = 0, std::int64_t disk = 0) {
    node_.reservations = {cores, memory, disk};
    return *this;
  }
  NodeBuilder& Running(int jobs) { node_.running_jobs = jobs; return *this; }
  NodeBuilder& State(NodeState state) { node_.state = state; return *this; }
  NodeBuilder& HeartbeatAgo(double seconds) { node_.last_heartbeat = SecondsAgo(seconds); return *this; }
  NodeBuilder& NoMetrics() { node_.metrics.reset(); return *this; }
  NodeBuilder& MetricsAgo(double seconds) { metrics().sample_time = SecondsAgo(seconds); return *this; }
  NodeBuilder& MetricsAt(Time at) { metrics().sample_time = at; return *this; }
  NodeBuilder& Cpu(double ratio) { metrics().cpu_utilisation = ratio; return *this; }
  NodeBuilder& MemoryAvailable(std::int64_t bytes) { metrics().memory_available_bytes = bytes; return *this; }
  NodeBuilder& BuildFsAvailable(std::int64_t bytes) { metrics().build_fs_available_bytes = bytes; return *this; }
  NodeBuilder& Temperature(double celsius) { metrics().max_temperature_celsius = celsius; return *this; }
  NodeBuilder& Rtt(std::string target, double seconds) {
    metrics().probe_rtt_seconds[std::move(target)] = seconds;
    return *this;
  }
  NodeBuilder& InFlight(double load) { node_.in_flight_load = load; return *this; }

  NodeView Build() const { return node_; }
  operator NodeView() const { return node_; }  // NOLINT: lets tables hold builders

 private:
  NodeMetrics& metrics() {
    if (!node_.metrics) node_.metrics = NodeMetrics{};
    return *node_.metrics;
  }
  NodeView node_;
};

class JobBuilder {
 public:
  explicit JobBuilder(std::string id = "job-1") {
    job_.id = std::move(id);
    job_.created = TestNow();
    job_.build_type = "full";
  }

  JobBuilder& Id(std::string id) { job_.id = std::move(id); return *this; }
  JobBuilder& Priority(int priority) { job_.priority = priority; return *this; }
  JobBuilder& CreatedAgo(double seconds) { job_.created = SecondsAgo(seconds); return *this; }
  JobBuilder& Cores(double cores) { job_.requirements.cores = cores; return *this; }
  JobBuilder& Memory(std::int64_t bytes) { job_.requirements.memory_bytes = bytes; return *this; }
  JobBuilder& Disk(std::int64_t bytes) { job_.requirements.disk_bytes = bytes; return *this; }
  JobBuilder& Select(std::string key, std::string value) { job_.selector[std::move(key)] = std::move(value); return *this; }
  JobBuilder& Profile(std::string profile) { job_.profiles.push_back(std::move(profile)); return *this; }
  JobBuilder& BuildType(std::string type) { job_.build_type = std::move(type); return *this; }

  JobView Build() const { return job_; }
  operator JobView() const { return job_; }  // NOLINT: lets tables hold builders

 private:
  JobView job_;
};

}  // namespace buildfarm::scheduler::testing
