// Job: the scheduler's record of a build job — what was submitted (JobSpec) and where it stands.
//
// Plain values; safe to copy between threads. The JSON shape is the API's and generalizes the seed's
// job-schema.json (see schemas/job.schema.json).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::scheduler {

enum class JobState { kBlocked, kQueued, kAssigned, kRunning, kCompleted, kFailed, kCancelled };

std::string_view JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view name);
bool IsTerminal(JobState state);

struct Requirements {
  double cores = 0;               // 0: unknown; the scheduler uses its default expected load
  std::int64_t memory_bytes = 0;
  std::int64_t disk_bytes = 0;
};

struct JobSpec {
  std::string id;                 // empty: the store assigns one
  std::string command;
  std::string branch;
  std::string commit;
  int priority = 5;               // 1..10, 10 most urgent
  std::string build_type = "full";
  std::vector<std::string> profiles;
  Requirements requirements;
  std::map<std::string, std::string> selector;
  std::vector<std::string> dependencies;
  std::int64_t timeout_seconds = 3600;
  int max_retries = 2;
  std::string requester;
};

struct Job {
  JobSpec spec;
  std::int64_t seq = 0;           // submission order; the list cursor
  JobState state = JobState::kQueued;
  std::string node;               // assigned node, empty when none
  std::string pinned_node;        // an admin's `assign` override
  std::string preferred_node;     // a failed-over job's backup node
  int attempt = 0;                // incremented at every assignment
  int retry_count = 0;            // requeues after a lost node
  double created_at = 0;          // unix seconds
  std::optional<double> assigned_at;
  std::optional<double> started_at;
  std::optional<double> completed_at;
  std::optional<std::int64_t> exit_code;
  std::optional<double> duration_seconds;
  std::string error_message;
};

}  // namespace buildfarm::scheduler
