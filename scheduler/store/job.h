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
  std::optional<double> log_expired_at;  // retention deleted the log of this finished job
};

// Submission checks (docs/api.md, "Jobs"). Each returns InvalidArgument "<field>: <what is allowed>"
// naming `field`, so the API answers 400 with that field. A job id is 1-128 of A-Z a-z 0-9 . _ -
// starting with a letter or digit: it is a URL path segment, a file name on the agent and a log
// name, so `/`, spaces, NUL and control characters are refused.
Status CheckJobId(std::string_view id, std::string_view field = "id");
// A DNS label: 1-63 of a-z 0-9 -, not starting or ending with -.
Status CheckNodeName(std::string_view name, std::string_view field = "node");
// Empty, or a git branch name: printable ASCII without space ~ ^ : ? * [ \, no "..", "//" or "@{",
// not starting with - or /, not ending with / . or .lock; at most 255 characters.
Status CheckBranch(std::string_view branch, std::string_view field = "branch");
// Empty, or a hex commit id of 4 to 64 digits.
Status CheckCommit(std::string_view commit, std::string_view field = "commit");
// Not blank; no NUL or control characters other than tab and newline (a shell would stop at NUL).
Status CheckCommand(std::string_view command, std::string_view field = "command");
// No NUL or control characters at all (requester, selector labels and values).
Status CheckPrintable(std::string_view text, std::string_view field);
// All of the above for a submitted job (an empty id is the store's to choose); `prefix` is put before
// the field ("jobs/3/"). Jobs already stored are not re-checked.
Status CheckJobSpec(const JobSpec& spec, std::string_view prefix = "");

}  // namespace buildfarm::scheduler
