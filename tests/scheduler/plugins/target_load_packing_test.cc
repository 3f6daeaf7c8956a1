#include "scheduler/plugins/target_load_packing.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

TEST(TargetLoadPacking, TrimaranFormula) {
  struct Row {
    double utilization, target, want;
  };
  for (const Row& row : std::vector<Row>{
           {0, 40, 40}, {20, 40, 70}, {40, 40, 100}, {70, 40, 20}, {100, 40, 0}, {130, 40, 0},
           {0, 60, 60}, {60, 60, 100}, {80, 60, 30},
       }) {
    EXPECT_DOUBLE_EQ(TargetLoadPackingScore(row.utilization, row.target), row.want)
        << "U=" << row.utilization << " T=" << row.target;
  }
}

TEST(TargetLoadPacking, ScoresPredictedUtilisation) {
  TargetLoadPacking plugin(*ParseTargetLoadPackingArgs(Args({})));  // target 40
  RunScoreCases(plugin, {
      {"idle, 4 of 16 cores -> 25%", NodeBuilder().Cores(16).Cpu(0), JobBuilder().Cores(4), 78},
      {"12.5% + 4 of 16 cores -> 37.5%", NodeBuilder().Cores(16).Cpu(0.125), JobBuilder().Cores(4), 96},
      {"in flight pushes past target -> 62.5%", NodeBuilder().Cores(16).Cpu(0.125).InFlight(0.25),
       JobBuilder().Cores(4), 25},
      {"full", NodeBuilder().Cores(16).Cpu(1.0), JobBuilder().Cores(4), 0},
      {"no metrics", NodeBuilder().NoMetrics(), JobBuilder(), 0},
  });
}

TEST(TargetLoadPacking, PeaksAtAConfiguredTarget) {
  TargetLoadPacking plugin(*ParseTargetLoadPackingArgs(Args({{"targetUtilization", "50"}})));
  RunScoreCases(plugin, {
      {"idle, 1 of 16 cores -> 6.25%", NodeBuilder().Cores(16).Cpu(0), JobBuilder().Cores(1), 56},
      {"43.75% + 1 of 16 cores -> 50%", NodeBuilder().Cores(16).Cpu(0.4375), JobBuilder().Cores(1), 100},
      {"75%", NodeBuilder().Cores(16).Cpu(0.6875), JobBuilder().Cores(1), 25},
  });
}

TEST(TargetLoadPacking, Args) {
  RunArgsCases(&ParseTargetLoadPackingArgs, {
      {"default", Args({}), ""},
      {"60", Args({{"targetUtilization", "60"}}), ""},
      {"zero", Args({{"targetUtilization", "0"}}), "argument targetUtilization: want a number in [1, 99]"},
      {"hundred", Args({{"targetUtilization", "100"}}), "argument targetUtilization"},
  });
  EXPECT_DOUBLE_EQ(ParseTargetLoadPackingArgs(Args({}))->target_utilization_percent, 40);
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
