#include "scheduler/plugins/latency_aware.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

TEST(LatencyAware, ScoresRoundTripToTheTarget) {
  LatencyAware plugin({.target = "git", .max_rtt_seconds = 0.1});
  RunScoreCases(plugin, {
      {"instant", NodeBuilder().Rtt("git", 0), JobBuilder(), 100},
      {"10 ms", NodeBuilder().Rtt("git", 0.010), JobBuilder(), 90},
      {"50 ms", NodeBuilder().Rtt("git", 0.050), JobBuilder(), 50},
      {"beyond max", NodeBuilder().Rtt("git", 0.5), JobBuilder(), 0},
      {"other target only", NodeBuilder().Rtt("cache", 0.001), JobBuilder(), 0},
      {"no metrics", NodeBuilder().NoMetrics(), JobBuilder(), 0},
  });
}

TEST(LatencyAware, NormalizesSoTheBestNodeGetsTheMaximum) {
  LatencyAware plugin({.target = "git", .max_rtt_seconds = 0.1});
  NodeView a = NodeBuilder("a"), b = NodeBuilder("b"), c = NodeBuilder("c");
  struct Row {
    std::string name;
    std::vector<int> raw, want;
  };
  for (const Row& row : std::vector<Row>{
           {"scaled up", {50, 25, 0}, {100, 50, 0}},
           {"already at max", {100, 90, 10}, {100, 90, 10}},
           {"all zero", {0, 0, 0}, {0, 0, 0}},
       }) {
    SCOPED_TRACE(row.name);
    std::vector<NodeScore> scores = {{&a, row.raw[0]}, {&b, row.raw[1]}, {&c, row.raw[2]}};
    ASSERT_TRUE(plugin.NormalizeScore(StateAt(), JobBuilder(), scores).ok());
    for (std::size_t i = 0; i < scores.size(); ++i) EXPECT_EQ(scores[i].score, row.want[i]);
  }
}

TEST(LatencyAware, Args) {
  RunArgsCases(&ParseLatencyAwareArgs, {
      {"target", Args({{"target", "git"}}), ""},
      {"target and max", Args({{"target", "git"}, {"maxRtt", "50ms"}}), ""},
      {"no target", Args({}), "argument target: required"},
      {"empty target", Args({{"target", " "}}), "argument target: want a non-empty string"},
      {"bad max", Args({{"target", "git"}, {"maxRtt", "fast"}}), "argument maxRtt"},
  });
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
