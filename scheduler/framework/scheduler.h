// Scheduler: one scheduling cycle over a node snapshot, driven by a Profile's plugins.
//
// A cycle orders the jobs with the profile's QueueSort plugin (priority, then age), then for each job:
// runs the Filter plugins on the nodes (the first rejection gives that node's reason) until it has found
// NodesToFind() feasible ones (all of them in fleets under 100 nodes), scores the feasible
// nodes with every Score plugin (NormalizeScore if the plugin has one), sums the scores by weight, breaks
// ties at random, and finally Reserves the job on the chosen node and Binds it. Reserve plugins update the
// snapshot, so later jobs in the same cycle see earlier placements.
//
// Thread safety: a Scheduler keeps scratch buffers and a random generator, so one instance must be used by
// one thread at a time. The Profile it references must outlive it; the Profile itself is immutable.
#pragma once

#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "scheduler/framework/plugin.h"
#include "scheduler/framework/profile.h"
#include "scheduler/framework/types.h"

namespace buildfarm::scheduler {

enum class Outcome { kBound, kUnschedulable, kError };
const char* OutcomeName(Outcome outcome);  // "bound", "unschedulable", "error"

struct Decision {
  std::string job_id;
  Outcome outcome = Outcome::kUnschedulable;
  std::string node;    // when bound
  std::string reason;  // when unschedulable or error
  std::int64_t score = 0;  // weighted score of the chosen node
};

struct CycleResult {
  std::vector<Decision> decisions;  // in queue order
  std::size_t bound = 0;
  std::size_t unschedulable = 0;
  std::size_t errors = 0;
};

struct SchedulerOptions {
  std::uint64_t seed = 0;                // seeds tie-breaking; tests inject a fixed one
  InFlightTracker* in_flight = nullptr;  // optional; Apply()'d to the snapshot at the start of each cycle
  Binder* binder = nullptr;              // optional; the DefaultBinder plugin hands placements to it
};

class Scheduler {
 public:
  Scheduler(const Profile& profile, SchedulerOptions options);

  // Schedules up to `max_decisions` of `jobs` (the most urgent first) onto `nodes`, updating the snapshot.
  CycleResult RunCycle(std::span<NodeView> nodes, std::span<const JobView> jobs, Time now,
                       std::size_t max_decisions = std::numeric_limits<std::size_t>::max());

  // The cycle state the profile's plugins see at `now`.
  CycleState MakeCycleState(Time now) const;

  // Schedules one job; exposed for callers that order jobs themselves.
  Decision ScheduleOne(CycleState& state, std::span<NodeView> nodes, const JobView& job);

 private:
  Decision Unschedulable(const JobView& job, std::size_t node_count, const std::string& example) const;
  Decision Failed(const JobView& job, std::string reason) const;
  Decision ReserveAndBind(CycleState& state, const JobView& job, NodeView& node, std::int64_t score);

  const Profile& profile_;
  SchedulerOptions options_;
  std::mt19937_64 rng_;
  // Scratch reused across jobs to keep the per-decision path free of allocations.
  std::vector<std::size_t> feasible_;
  std::vector<NodeScore> plugin_scores_;
  std::vector<std::int64_t> totals_;
  std::vector<std::size_t> rejections_by_filter_;
  std::size_t next_start_node_ = 0;  // where the next job's filtering starts (round robin over the fleet)
};

}  // namespace buildfarm::scheduler
