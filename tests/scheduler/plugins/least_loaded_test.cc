#include "scheduler/plugins/least_loaded.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

TEST(LeastLoaded, ScoresFreeCpuIncludingInFlightAndTheJob) {
  LeastLoaded plugin({});
  RunScoreCases(plugin, {
      // A job without requirements counts as the profile's default of 1 core: 1/16 = 6.25 %.
      {"idle 16 cores", NodeBuilder().Cores(16).Cpu(0), JobBuilder(), 94},
      {"idle, 4-core job", NodeBuilder().Cores(16).Cpu(0), JobBuilder().Cores(4), 75},
      {"half loaded", NodeBuilder().Cores(16).Cpu(0.5), JobBuilder().Cores(4), 25},
      {"in-flight load counts", NodeBuilder().Cores(16).Cpu(0.25).InFlight(0.25), JobBuilder().Cores(4), 25},
      {"over-full clamps to 0", NodeBuilder().Cores(16).Cpu(0.95), JobBuilder().Cores(4), 0},
      {"no metrics", NodeBuilder().NoMetrics(), JobBuilder(), 0},
  });
}

TEST(LeastLoaded, DefaultJobCoresComesFromTheCycle) {
  LeastLoaded plugin({});
  CycleState state = StateAt();
  state.default_job_cores = 4;
  RunScoreCases(plugin, {{"4 default cores of 16", NodeBuilder().Cores(16), JobBuilder(), 75}}, state);
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
