#include "exporter/collectors/btrfs.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseBtrfsValue, IsGoParseUintOrZero) {
  struct Case {
    std::string_view text;
    std::uint64_t want;
  };
  for (const Case& c : std::initializer_list<Case>{{"4096", 4096},
                                                   {"18446744073709551615", 18446744073709551615u},
                                                   {"18446744073709551616", 0},  // overflow
                                                   {"", 0},                      // truncated to nothing
                                                   {"12k", 0},                   // garbled
                                                   {"-1", 0},
                                                   {"+1", 0},
                                                   {"0x10", 0}}) {
    EXPECT_EQ(ParseBtrfsValue(c.text), c.want) << c.text;
  }
  EXPECT_EQ(ParseBtrfsValue(std::string(1 << 20, '9')), 0u);
}

TEST(BtrfsAllocationRatio, FollowsTheProfile) {
  EXPECT_EQ(BtrfsAllocationRatio("single", 3), 1);
  EXPECT_EQ(BtrfsAllocationRatio("raid0", 3), 1);
  EXPECT_EQ(BtrfsAllocationRatio("dup", 1), 2);
  EXPECT_EQ(BtrfsAllocationRatio("raid10", 4), 2);
  EXPECT_EQ(BtrfsAllocationRatio("raid5", 4), 4.0 / 3);
  EXPECT_EQ(BtrfsAllocationRatio("raid6", 4), 2);
  EXPECT_TRUE(std::isinf(BtrfsAllocationRatio("raid5", 1)));  // Go divides by zero to +Inf
  EXPECT_EQ(BtrfsAllocationRatio("raid1c3", 3), 0);            // unknown to node_exporter 1.5
}

TEST(BtrfsCollector, ExportsTheFixtureFilesystems) {
  auto families = CollectFromFixtures(MakeBtrfsSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  const std::string root = "7e3f2a91-5c4d-4b8e-9f12-0a6b3c2d1e4f", scratch = "0b9d6c1e-2f3a-4e5b-8c7d-9e0f1a2b3c4d";
  EXPECT_EQ(SampleValue(f, "node_btrfs_info", {{"label", "root-pool"}, {"uuid", root}}), 1);
  EXPECT_EQ(SampleValue(f, "node_btrfs_info", {{"label", ""}, {"uuid", scratch}}), 1);  // uuid from the directory
  EXPECT_EQ(SampleValue(f, "node_btrfs_global_rsv_size_bytes", {{"uuid", root}}), 536870912);
  EXPECT_EQ(SampleValue(f, "node_btrfs_reserved_bytes", {{"block_group_type", "metadata"}, {"uuid", root}}), 196608);
  LabelMap data = {{"block_group_type", "data"}, {"mode", "raid1"}, {"uuid", root}};
  EXPECT_EQ(SampleValue(f, "node_btrfs_used_bytes", data), 198473068544.0);
  EXPECT_EQ(SampleValue(f, "node_btrfs_size_bytes", data), 214748364800.0);
  EXPECT_EQ(SampleValue(f, "node_btrfs_allocation_ratio", data), 2);
  EXPECT_EQ(SampleValue(f, "node_btrfs_device_size_bytes", {{"device", "sdb3"}, {"uuid", root}}), 976771072.0 * 512);
  EXPECT_EQ(FindFamily(f, "node_btrfs_device_size_bytes")->help, "Size of a device that is part of the filesystem.");
}

TEST(BtrfsCollector, AFilesystemUnmountedAfterTheListingIsSkipped) {
  testing::TempDir dir;
  const std::string fs = "sys/fs/btrfs/11111111-2222-3333-4444-555555555555/";
  dir.WriteFile(fs + "devices/sda1/size", "2048\n");
  dir.MakeDir(fs + "features");
  for (std::string type : {"data", "metadata", "system"}) dir.WriteFile(fs + "allocation/" + type + "/single/used_bytes", "7\n");
  dir.Symlink(dir.Join("gone"), "sys/fs/btrfs/99999999-0000-0000-0000-000000000000");  // listed, then unmounted
  auto families = CollectFrom(MakeBtrfsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindFamily(*families, "node_btrfs_info")->metric.size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_btrfs_used_bytes",
                        {{"block_group_type", "system"}, {"mode", "single"}, {"uuid", "11111111-2222-3333-4444-555555555555"}}),
            7);
}

TEST(BtrfsCollector, NoBtrfsIsNoDataAndAFilesystemWithoutAllocationIsAnError) {
  ExpectNotFoundOnEmptyHost(MakeBtrfsSpec());
  testing::TempDir dir;
  dir.MakeDir("sys/fs/btrfs/features");  // the module's own directory, not a filesystem
  auto none = CollectFrom(MakeBtrfsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  dir.MakeDir("sys/fs/btrfs/11111111-2222-3333-4444-555555555555/devices");
  dir.MakeDir("sys/fs/btrfs/11111111-2222-3333-4444-555555555555/features");
  auto broken = CollectFrom(MakeBtrfsSpec(), HostPathsIn(dir));
  EXPECT_FALSE(broken.ok());
}

}  // namespace
}  // namespace buildfarm::exporter
