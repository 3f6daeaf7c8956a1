#include "scheduler/plugins/resource_fit.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;
using Kind = Verdict::Kind;

TEST(ResourceFit, CapacityMinusReservations) {
  ResourceFit plugin({});
  RunFilterCases(plugin, {
      {"no requirements", NodeBuilder().Reserved(16), JobBuilder(), Kind::kFits},
      {"cores fit exactly", NodeBuilder().Cores(8).Reserved(4), JobBuilder().Cores(4), Kind::kFits},
      {"cores short", NodeBuilder().Cores(8).Reserved(6), JobBuilder().Cores(4), Kind::kUnschedulable,
       "insufficient cores: requested 4, free 2 of 8"},
      {"fractional cores", NodeBuilder().Cores(2).Reserved(1.5), JobBuilder().Cores(0.5), Kind::kFits},
      {"memory short", NodeBuilder().Memory(16 * kGiB).Reserved(0, 12 * kGiB), JobBuilder().Memory(8 * kGiB),
       Kind::kUnschedulable, "insufficient memory: requested 8GiB, free 4GiB of 16GiB"},
      {"over-committed node", NodeBuilder().Cores(4).Reserved(6), JobBuilder().Cores(1), Kind::kUnschedulable,
       "free -2 of 4"},
      {"disk unchecked without disk capacity", NodeBuilder().Disk(0), JobBuilder().Disk(100 * kGiB), Kind::kFits},
      {"disk short", NodeBuilder().Disk(100 * kGiB).Reserved(0, 0, 90 * kGiB), JobBuilder().Disk(20 * kGiB),
       Kind::kUnschedulable, "insufficient disk"},
  });
}

TEST(ResourceFit, TakesNoArgs) {
  RunArgsCases(&ParseResourceFitArgs, {
      {"none", Args({}), ""},
      {"any", Args({{"cores", "2"}}), "argument cores: unknown argument (this plugin takes none)"},
  });
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
