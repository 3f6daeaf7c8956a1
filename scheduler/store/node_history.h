// NodeHistory: the historical metrics the seed's status files carried per node (status.schema.json
// `metrics`), computed from the job store and the recorded node state changes:
//
//   builds_today            completed + failed builds that finished since 00:00 UTC today
//   builds_this_week        the same since Monday 00:00 UTC
//   avg_build_time_seconds  mean duration of the builds that finished in the last 7 days (with a duration)
//   success_rate_percent    completed / (completed + failed) over the last 7 days
//   uptime_percent          share of the last 7 days the node was not `down` (lease expired), counted
//                           from its first recorded state change when that is later
//
// Approximations: `down` is the scheduler's view (no heartbeat within the lease), so time the scheduler
// itself was stopped counts in the state recorded last before it stopped, and a restart gives every
// node a fresh lease (recorded as up). Cancelled jobs are not builds. Values with no data are absent.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace buildfarm::scheduler {

inline constexpr double kHistoryWindowSeconds = 7 * 86400;

struct BuildRecord {
  double finished_at = 0;
  std::optional<double> duration_seconds;
  bool succeeded = false;
};

struct StateChange {
  double at = 0;
  bool down = false;
};

struct NodeHistory {
  std::int64_t builds_today = 0;
  std::int64_t builds_this_week = 0;
  std::optional<double> avg_build_time_seconds;
  std::optional<double> success_rate_percent;
  std::optional<double> uptime_percent;
};

// Unix seconds of 00:00 UTC today and of Monday 00:00 UTC this week.
double StartOfUtcDay(double now);
double StartOfUtcWeek(double now);

// `builds`: the node's builds that finished in the last 7 days (older ones are ignored); `changes`: its
// state changes in time order, including the last one before the window when there is one.
NodeHistory ComputeNodeHistory(const std::vector<BuildRecord>& builds, const std::vector<StateChange>& changes,
                               double now);

// The status.schema.json `metrics` object (absent values left out).
nlohmann::json NodeHistoryToJson(const NodeHistory& history);

}  // namespace buildfarm::scheduler
