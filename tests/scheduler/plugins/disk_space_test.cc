#include "scheduler/plugins/disk_space.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;
using Kind = Verdict::Kind;

TEST(DiskSpace, MinimumFreeOnBuildFilesystem) {
  DiskSpace plugin({.min_free_bytes = 10 * kGiB});
  RunFilterCases(plugin, {
      {"plenty", NodeBuilder().BuildFsAvailable(100 * kGiB), JobBuilder(), Kind::kFits},
      {"exactly the minimum", NodeBuilder().BuildFsAvailable(10 * kGiB), JobBuilder(), Kind::kFits},
      {"below the minimum", NodeBuilder().BuildFsAvailable(9 * kGiB), JobBuilder(), Kind::kUnschedulable,
       "build filesystem has 9GiB free, minimum free 10GiB"},
      {"job's disk takes it below", NodeBuilder().BuildFsAvailable(15 * kGiB), JobBuilder().Disk(6 * kGiB),
       Kind::kUnschedulable, "job needs 6GiB"},
      {"no metrics", NodeBuilder().NoMetrics(), JobBuilder(), Kind::kUnschedulable, "no build filesystem metrics"},
  });
}

TEST(DiskSpace, Args) {
  RunArgsCases(&ParseDiskSpaceArgs, {
      {"default", Args({}), ""},
      {"Gi suffix", Args({{"minFreeBytes", "20Gi"}}), ""},
      {"plain bytes", Args({{"minFreeBytes", "1073741824"}}), ""},
      {"negative", Args({{"minFreeBytes", "-1"}}), "argument minFreeBytes: want a non-negative size"},
      {"garbage", Args({{"minFreeBytes", "lots"}}), "argument minFreeBytes"},
  });
  auto args = ParseDiskSpaceArgs(Args({{"minFreeBytes", "2Gi"}}));
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->min_free_bytes, 2 * kGiB);
  EXPECT_EQ(ParseDiskSpaceArgs(Args({}))->min_free_bytes, 5 * kGiB);
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
