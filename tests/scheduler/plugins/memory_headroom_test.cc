#include "scheduler/plugins/memory_headroom.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

TEST(MemoryHeadroom, ScoresMemoryLeftAfterTheJob) {
  MemoryHeadroom plugin({});
  RunScoreCases(plugin, {
      {"all free", NodeBuilder().Memory(64 * kGiB).MemoryAvailable(64 * kGiB), JobBuilder(), 100},
      {"half free", NodeBuilder().Memory(64 * kGiB).MemoryAvailable(32 * kGiB), JobBuilder(), 50},
      {"half free, job takes a quarter", NodeBuilder().Memory(64 * kGiB).MemoryAvailable(32 * kGiB),
       JobBuilder().Memory(16 * kGiB), 25},
      {"job bigger than what is free", NodeBuilder().Memory(64 * kGiB).MemoryAvailable(8 * kGiB),
       JobBuilder().Memory(16 * kGiB), 0},
      {"no capacity known", NodeBuilder().Memory(0), JobBuilder(), 0},
      {"no metrics", NodeBuilder().NoMetrics(), JobBuilder(), 0},
  });
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
