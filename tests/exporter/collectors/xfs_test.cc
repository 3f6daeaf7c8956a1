#include "exporter/collectors/xfs.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr std::string_view kMinimal =
    "extent_alloc 1 2 3 4\nabt 5 6 7 8\nblk_map 1 2 3 4 5 6 7\nbmbt 0 0 0 0\ndir 9 8 7 6\n"
    "ig 1 2 3 4 5 6 7\nrw 30 40\nvnodes 1 2 3 4 5 6 7\n";

TEST(ParseXfsStats, KeepsEveryGroupWithItsValues) {
  auto stats = ParseXfsStats(std::string(kMinimal) + "push_ail 1 2 3\nxpc 1 18446744073709551615 3\ndebug 0\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->at("rw"), (std::vector<std::uint64_t>{30, 40}));
  EXPECT_EQ(stats->at("xpc")[1], 18446744073709551615u);  // the byte counters are 64-bit
  EXPECT_EQ(stats->at("push_ail").size(), 3u);              // unknown groups are any length
  EXPECT_EQ(stats->at("debug"), (std::vector<std::uint64_t>{0}));
}

TEST(ParseXfsStats, AcceptsOldVnodesWithoutFreeAndSkipsLabelOnlyLines) {
  auto stats = ParseXfsStats("vnodes 1 2 3 4 5 6 7 8\nlonely\n\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->at("vnodes").size(), 8u);
  EXPECT_EQ(stats->count("lonely"), 0u);
  EXPECT_TRUE(ParseXfsStats("").ok());
}

TEST(ParseXfsStats, RejectsWhatNodeExporterRejects) {
  ExpectParseErrors(&ParseXfsStats, {
                                        {"truncated group", "extent_alloc 1 2 3\n"},
                                        {"truncated mid-number", "rw 12 4x"},
                                        {"garbled", "abt 1 2 three 4\n"},
                                        {"negative", "dir 1 2 -3 4\n"},
                                        {"32-bit overflow", "rw 4294967296 0\n"},
                                        {"64-bit overflow in xpc", "xpc 1 2 18446744073709551616\n"},
                                        {"unknown group garbled", "push_ail 1 x\n"},
                                        {"vnodes too long", "vnodes 1 2 3 4 5 6 7 8 9\n"},
                                        {"binary", std::string("ig 1\0 2\n", 8)},
                                    });
}

TEST(ParseXfsStats, SurvivesHugeInput) {
  std::string huge;
  for (int i = 0; i < 20000; ++i) huge += "push_ail" + std::to_string(i) + " 1 2 3 4 5 6 7 8 9 10\n";
  auto stats = ParseXfsStats(huge);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->size(), 20000u);
  EXPECT_FALSE(ParseXfsStats("rw " + std::string(1 << 20, '9') + " 1\n").ok());
}

TEST(XfsCollector, ExportsEachFilesystemOfTheFixture) {
  auto families = CollectFromFixtures(MakeXfsSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_xfs_extent_allocation_extents_allocated_total", {{"device", "sdb1"}}), 48213);
  // The kernel writes "rw <writes> <reads>".
  EXPECT_EQ(SampleValue(f, "node_xfs_write_calls_total", {{"device", "sdb1"}}), 40213371);
  EXPECT_EQ(SampleValue(f, "node_xfs_read_calls_total", {{"device", "sdb1"}}), 11828034);
  EXPECT_EQ(SampleValue(f, "node_xfs_inode_operation_recycled_total", {{"device", "nvme0n1p3"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_xfs_vnode_remove_total", {{"device", "nvme0n1p3"}}), 6120);
  // /sys/fs/xfs/stats/stats is the global copy, not a filesystem.
  EXPECT_EQ(FindSample(f, "node_xfs_read_calls_total", {{"device", "stats"}}), nullptr);
  const auto* family = FindFamily(f, "node_xfs_block_mapping_reads_total");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Counter);
  EXPECT_EQ(family->help, "Number of block map for read operations for a filesystem.");
  EXPECT_EQ(f.size(), 39u);
}

TEST(XfsCollector, AGroupMissingFromTheFileIsZero) {
  testing::TempDir dir;
  dir.WriteFile("sys/fs/xfs/sdc/stats/stats", "rw 5 6\n");
  auto families = CollectFrom(MakeXfsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_xfs_read_calls_total", {{"device", "sdc"}}), 6);
  EXPECT_EQ(SampleValue(*families, "node_xfs_vnode_get_total", {{"device", "sdc"}}), 0);
}

TEST(XfsCollector, AFilesystemUnmountedAfterTheListingIsSkipped) {
  testing::TempDir dir;
  dir.WriteFile("sys/fs/xfs/sda1/stats/stats", std::string(kMinimal));
  dir.MakeDir("sys/fs/xfs/sdb1/stats");
  dir.Symlink(dir.Join("gone/stats"), "sys/fs/xfs/sdb1/stats/stats");  // listed, unreadable
  auto families = CollectFrom(MakeXfsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_xfs_read_calls_total", {{"device", "sda1"}}), 40);
  EXPECT_EQ(FindSample(*families, "node_xfs_read_calls_total", {{"device", "sdb1"}}), nullptr);
}

TEST(XfsCollector, NoXfsIsNoDataAndAGarbledFileIsAnError) {
  ExpectNotFoundOnEmptyHost(MakeXfsSpec());
  testing::TempDir dir;
  dir.MakeDir("sys/fs/xfs");
  auto none = CollectFrom(MakeXfsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  dir.WriteFile("sys/fs/xfs/sda1/stats/stats", "rw one two\n");
  auto garbled = CollectFrom(MakeXfsSpec(), HostPathsIn(dir));
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.status().code(), StatusCode::kParseError);
}

}  // namespace
}  // namespace buildfarm::exporter
