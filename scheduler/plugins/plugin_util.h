// Small helpers shared by the built-in plugins: number formatting for reasons, clamping, and the
// predicted CPU utilisation used by the load-aware scores. Stateless and thread-safe.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "scheduler/framework/in_flight.h"
#include "scheduler/framework/plugin.h"

namespace buildfarm::scheduler::plugins {

// "2.5", "8", "0.33": at most `decimals` decimals, trailing zeros dropped.
std::string FormatNumber(double value, int decimals = 2);
// "1.5GiB", "512MiB", "100B".
std::string FormatBytes(std::int64_t bytes);

// Rounds half up into 0..100 (without std::lround, a libm call that showed in profiles).
inline int ClampScore(double score) {
  if (!(score > 0)) return 0;  // also NaN
  if (score >= 100) return 100;
  return static_cast<int>(score + 0.5);
}

// The node's CPU utilisation ratio once this job runs on it: measured + in flight + the job itself.
inline double PredictedCpuUtilisation(const CycleState& state, const JobView& job, const NodeView& node) {
  return node.metrics->cpu_utilisation + node.in_flight_load + ExpectedJobLoad(job, node, state.default_job_cores);
}

}  // namespace buildfarm::scheduler::plugins
