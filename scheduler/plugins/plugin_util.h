// Small helpers shared by the built-in plugins: number formatting for reasons, clamping, and the
// predicted CPU utilisation used by the load-aware scores. Stateless and thread-safe.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "scheduler/framework/in_flight.h"
#include "scheduler/framework/plugin.h"

namespace buildfarm::scheduler::plugins {

// "2.5", "8", "0.33": at most `decimals` decimals, trailing zeros dropped.
std::string FormatNumber(double value, int decimals = 2);
// "1.5GiB", "512MiB", "100B".
std::string FormatBytes(std::int64_t bytes);

// Builds a rejection reason in one allocation. Filters build one for every node they reject, on every
// decision, so "a" + b + "c" chains (one temporary per +) showed in profiles of a filling fleet.
class ReasonBuilder {
 public:
  ReasonBuilder() { text_.reserve(96); }
  ReasonBuilder& Add(std::string_view part) {
    text_ += part;
    return *this;
  }
  ReasonBuilder& Number(double value, int decimals = 2);
  ReasonBuilder& Integer(std::int64_t value);
  ReasonBuilder& Bytes(std::int64_t bytes);
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

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
