#include "scheduler/plugins/max_parallel.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;
using Kind = Verdict::Kind;

TEST(MaxParallel, ExplicitLimit) {
  MaxParallel plugin({.max_jobs = 3});
  RunFilterCases(plugin, {
      {"idle", NodeBuilder().Running(0), JobBuilder(), Kind::kFits},
      {"below", NodeBuilder().Running(2), JobBuilder(), Kind::kFits},
      {"at the limit", NodeBuilder().Running(3), JobBuilder(), Kind::kUnschedulable, "runs 3 jobs, limit 3"},
  });
}

TEST(MaxParallel, DefaultIsOneJobPerCore) {
  MaxParallel plugin(*ParseMaxParallelArgs(Args({})));
  RunFilterCases(plugin, {
      {"4 cores, 3 jobs", NodeBuilder().Cores(4).Running(3), JobBuilder(), Kind::kFits},
      {"4 cores, 4 jobs", NodeBuilder().Cores(4).Running(4), JobBuilder(), Kind::kUnschedulable, "limit 4"},
      {"half a core still takes one", NodeBuilder().Cores(0.5).Running(0), JobBuilder(), Kind::kFits},
      {"half a core, one job", NodeBuilder().Cores(0.5).Running(1), JobBuilder(), Kind::kUnschedulable, "limit 1"},
  });
}

TEST(MaxParallel, Args) {
  RunArgsCases(&ParseMaxParallelArgs, {
      {"limit", Args({{"maxJobs", "8"}}), ""},
      {"fraction", Args({{"maxJobs", "1.5"}}), "argument maxJobs: want an integer"},
      {"negative", Args({{"maxJobs", "-1"}}), "argument maxJobs: want an integer in [0, 100000]"},
  });
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
