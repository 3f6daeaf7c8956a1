#include "scheduler/store/job.h"

namespace buildfarm::scheduler {

namespace {
constexpr std::pair<JobState, std::string_view> kStateNames[] = {
    {JobState::kBlocked, "blocked"},     {JobState::kQueued, "queued"}, {JobState::kAssigned, "assigned"},
    {JobState::kRunning, "running"},     {JobState::kCompleted, "completed"}, {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
};
}  // namespace

std::string_view JobStateName(JobState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (const auto& [s, n] : kStateNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

bool IsTerminal(JobState state) {
  return state == JobState::kCompleted || state == JobState::kFailed || state == JobState::kCancelled;
}

}  // namespace buildfarm::scheduler
