// Explain: why a job would (or would not) go to each node. For every node it runs every filter (not just up
// to the first rejection) and every score, and reports each verdict, reason and score; this is what
// `GET /api/v1/jobs/{id}/explain` returns and what an operator reads when a job will not schedule.
//
// Unlike a cycle in a fleet of 100 nodes or more (see NodesToFind), Explain always evaluates every node, so
// its best_node is the global best rather than the best of a sample.
//
// Explain is a pure function of the profile, the snapshot and the cycle state: it reserves and binds
// nothing and may run on any thread that owns (or only reads) the snapshot.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "scheduler/framework/plugin.h"
#include "scheduler/framework/profile.h"
#include "scheduler/framework/types.h"

namespace buildfarm::scheduler {

struct FilterExplanation {
  std::string plugin;
  Verdict::Kind verdict = Verdict::Kind::kFits;
  std::string reason;  // empty when the node fits
};

struct ScoreExplanation {
  std::string plugin;
  int weight = 1;
  bool ok = true;
  std::string error;  // when !ok
  int raw = 0;         // what Score returned
  int normalized = 0;  // after NormalizeScore over the feasible nodes (= raw for infeasible nodes)
};

struct NodeExplanation {
  std::string node;
  bool feasible = false;
  std::vector<FilterExplanation> filters;
  std::vector<ScoreExplanation> scores;
  std::int64_t total = 0;  // weighted sum of normalized scores; meaningful only when feasible
};

struct JobExplanation {
  std::string job_id;
  std::vector<NodeExplanation> nodes;  // in snapshot order
  std::size_t feasible_nodes = 0;
  // The feasible node with the highest total (first in snapshot order on a tie); empty if none fits.
  std::string best_node;
};

JobExplanation Explain(const Profile& profile, std::span<const NodeView> nodes, const JobView& job,
                       const CycleState& state);

}  // namespace buildfarm::scheduler
