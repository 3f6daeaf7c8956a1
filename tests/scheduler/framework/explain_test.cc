#include "scheduler/framework/explain.h"

#include <gtest/gtest.h>

#include "scheduler/plugins/registry.h"
#include "tests/scheduler/builders.h"

namespace buildfarm::scheduler {
namespace {

using namespace testing;

TEST(Explain, ReportsEveryFilterAndScoreForEveryNode) {
  const Registry registry = plugins::BuiltinRegistry();
  auto profiles = LoadProfiles(
      "profiles:\n  - pluginConfig:\n      - name: LatencyAware\n        args: {target: git}\n", "test", registry);
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  const Profile& profile = (*profiles)[0];
  std::vector<NodeView> nodes = {
      NodeBuilder("hot-and-cordoned").State(NodeState::kCordoned).Temperature(99).Rtt("git", 0.01),
      NodeBuilder("busy").Cpu(0.8).Rtt("git", 0.05),
      NodeBuilder("idle").Cpu(0.0).Rtt("git", 0.05),
  };
  JobExplanation explanation = Explain(profile, nodes, JobBuilder("j").Cores(2), StateAt());
  EXPECT_EQ(explanation.job_id, "j");
  ASSERT_EQ(explanation.nodes.size(), 3u);
  EXPECT_EQ(explanation.feasible_nodes, 2u);
  EXPECT_EQ(explanation.best_node, "idle");

  const NodeExplanation& hot = explanation.nodes[0];
  EXPECT_FALSE(hot.feasible);
  ASSERT_EQ(hot.filters.size(), profile.filters.size());
  // Every filter runs, not only up to the first rejection.
  int rejected = 0;
  for (const FilterExplanation& f : hot.filters) {
    if (f.verdict == Verdict::Kind::kUnschedulable) ++rejected;
    if (f.plugin == "NodeReady") EXPECT_EQ(f.reason, "node is cordoned");
    if (f.plugin == "Thermal") EXPECT_EQ(f.reason, "temperature 99°C above maximum 90°C");
    if (f.plugin == "ResourceFit") EXPECT_EQ(f.verdict, Verdict::Kind::kFits);
  }
  EXPECT_EQ(rejected, 2);
  ASSERT_EQ(hot.scores.size(), 4u);  // scores are reported for infeasible nodes too

  const NodeExplanation& idle = explanation.nodes[2];
  EXPECT_TRUE(idle.feasible);
  std::int64_t total = 0;
  for (const ScoreExplanation& s : idle.scores) {
    EXPECT_TRUE(s.ok);
    total += static_cast<std::int64_t>(s.weight) * s.normalized;
    if (s.plugin == "LeastLoaded") {
      EXPECT_EQ(s.raw, 88);  // 2 of 16 cores
      EXPECT_EQ(s.weight, 2);
    }
    if (s.plugin == "LatencyAware") {
      EXPECT_EQ(s.raw, 50);
      EXPECT_EQ(s.normalized, 100);  // best among the feasible nodes
    }
  }
  EXPECT_EQ(idle.total, total);
  EXPECT_GT(idle.total, explanation.nodes[1].total);
  // The hot node's LatencyAware score is not normalised with the feasible ones.
  for (const ScoreExplanation& s : hot.scores) {
    if (s.plugin == "LatencyAware") EXPECT_EQ(s.normalized, s.raw);
  }
}

TEST(Explain, NoFeasibleNode) {
  const Registry registry = plugins::BuiltinRegistry();
  auto profiles = LoadProfiles("", "test", registry);
  ASSERT_TRUE(profiles.ok());
  std::vector<NodeView> nodes = {NodeBuilder("small").Cores(1)};
  JobExplanation explanation = Explain((*profiles)[0], nodes, JobBuilder().Cores(8), StateAt());
  EXPECT_EQ(explanation.feasible_nodes, 0u);
  EXPECT_TRUE(explanation.best_node.empty());
  EXPECT_EQ(explanation.nodes[0].filters[2].plugin, "ResourceFit");
  EXPECT_EQ(explanation.nodes[0].filters[2].reason, "insufficient cores: requested 8, free 1 of 1");
}

}  // namespace
}  // namespace buildfarm::scheduler
