#include "scheduler/store/node_history.h"

#include <algorithm>
#include <cmath>

namespace buildfarm::scheduler {
namespace {

constexpr double kSecondsPerDay = 86400;

double Round2(double value) { return std::round(value * 100) / 100; }

}  // namespace

double StartOfUtcDay(double now) { return std::floor(now / kSecondsPerDay) * kSecondsPerDay; }

double StartOfUtcWeek(double now) {
  const auto days = static_cast<std::int64_t>(std::floor(now / kSecondsPerDay));
  // 1970-01-01 was a Thursday: (days + 3) % 7 is 0 on Mondays.
  const std::int64_t weekday = ((days + 3) % 7 + 7) % 7;
  return static_cast<double>(days - weekday) * kSecondsPerDay;
}

NodeHistory ComputeNodeHistory(const std::vector<BuildRecord>& builds, const std::vector<StateChange>& changes,
                               double now) {
  NodeHistory history;
  const double window_start = now - kHistoryWindowSeconds;
  const double today = StartOfUtcDay(now);
  const double week = StartOfUtcWeek(now);
  std::int64_t finished = 0, succeeded = 0, timed = 0;
  double total_seconds = 0;
  for (const BuildRecord& build : builds) {
    if (build.finished_at > now) continue;
    if (build.finished_at >= today) ++history.builds_today;
    if (build.finished_at >= week) ++history.builds_this_week;
    if (build.finished_at < window_start) continue;
    ++finished;
    if (build.succeeded) ++succeeded;
    if (build.duration_seconds) {
      ++timed;
      total_seconds += *build.duration_seconds;
    }
  }
  if (timed > 0) history.avg_build_time_seconds = Round2(total_seconds / static_cast<double>(timed));
  if (finished > 0) history.success_rate_percent = Round2(100.0 * static_cast<double>(succeeded) / static_cast<double>(finished));

  if (!changes.empty() && changes.front().at < now) {
    const double start = std::max(window_start, changes.front().at);
    bool down = changes.front().down;
    double since = start;
    double down_seconds = 0;
    for (const StateChange& change : changes) {
      if (change.at > now) break;
      const double at = std::max(change.at, start);
      if (down) down_seconds += at - since;
      since = at;
      down = change.down;
    }
    if (down) down_seconds += now - since;
    const double tracked = now - start;
    if (tracked > 0) history.uptime_percent = Round2(100.0 * (1.0 - down_seconds / tracked));
  }
  return history;
}

nlohmann::json NodeHistoryToJson(const NodeHistory& history) {
  nlohmann::json out{{"builds_today", history.builds_today}, {"builds_this_week", history.builds_this_week}};
  if (history.avg_build_time_seconds) out["avg_build_time_seconds"] = *history.avg_build_time_seconds;
  if (history.success_rate_percent) out["success_rate_percent"] = *history.success_rate_percent;
  if (history.uptime_percent) out["uptime_percent"] = *history.uptime_percent;
  return out;
}

}  // namespace buildfarm::scheduler
