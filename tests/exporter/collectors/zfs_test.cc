#include "exporter/collectors/zfs.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr std::string_view kKstatHeader = "6 1 0x01 91 4368 5266997922 97951858082072\nname type data\n";
constexpr std::string_view kIoHeader =
    "12 3 0x00 1 80 79205351707403 395818011156865\n"
    "nread nwritten reads writes wtime wlentime wupdate rtime rlentime rupdate wcnt rcnt\n";

TEST(ParseKstats, KeepsUint64RowsAfterTheHeader) {
  auto kstats = ParseKstats(std::string(kKstatHeader) +
                            "hits 4 18772612\narc_no_grow 3 0\nname_only 7\nerpt-dropped 4 18446744073709551615\n"
                            "state_name 7 ONLINE\ndataset_name 7 tank/home\n");
  ASSERT_TRUE(kstats.ok()) << kstats.status().ToString();
  ASSERT_EQ(kstats->values.size(), 2u);  // node_exporter 1.5 skips the int64 (3) and string (7) rows
  EXPECT_EQ(kstats->values[0].name, "hits");
  EXPECT_EQ(kstats->values[0].value, 18772612u);
  EXPECT_EQ(kstats->values[1].value, 18446744073709551615u);
  EXPECT_EQ(kstats->dataset, "tank/home");
}

TEST(ParseKstats, RowsBeforeTheHeaderAreIgnored) {
  auto kstats = ParseKstats("hits 4 garbage\nname type data\nmisses 4 3\n");
  ASSERT_TRUE(kstats.ok());
  ASSERT_EQ(kstats->values.size(), 1u);
  EXPECT_EQ(kstats->values[0].name, "misses");
}

TEST(ParseKstats, RejectsWhatNodeExporterRejects) {
  const std::string header(kKstatHeader);
  ExpectParseErrors(&ParseKstats, {
                                      {"empty", ""},
                                      {"no header", "hits 4 1\n"},
                                      {"truncated header", "6 1 0x01 91\nname type"},
                                      {"garbled value", header + "hits 4 12ab\n"},
                                      {"negative", header + "hits 4 -1\n"},
                                      {"overflow", header + "hits 4 18446744073709551616\n"},
                                      {"huge value", header + "hits 4 " + std::string(1 << 20, '7') + "\n"},
                                  });
}

TEST(ParseZpoolIo, NamesEveryValueByItsColumn) {
  auto values = ParseZpoolIo(std::string(kIoHeader) + "1 2 3 4 5 6 7 8 9 10 11 12\n");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  ASSERT_EQ(values->size(), 12u);
  EXPECT_EQ((*values)[0].name, "nread");
  EXPECT_EQ((*values)[11].name, "rcnt");
  EXPECT_EQ((*values)[11].value, 12u);
  auto header_only = ParseZpoolIo(kIoHeader);
  ASSERT_TRUE(header_only.ok());
  EXPECT_TRUE(header_only->empty());
  auto no_header = ParseZpoolIo("nread nwritten\n1 2\n");  // fewer than 12 columns is no header
  ASSERT_TRUE(no_header.ok());
  EXPECT_TRUE(no_header->empty());
}

TEST(ParseZpoolIo, RejectsTruncatedAndGarbledRows) {
  const std::string header(kIoHeader);
  ExpectParseErrors(&ParseZpoolIo, {
                                       {"truncated row", header + "1 2 3 4 5\n"},
                                       {"garbled", header + "1 2 3 4 5 6 7 8 9 10 11 x\n"},
                                       {"huge", header + std::string(1 << 20, '1') + " 2 3 4 5 6 7 8 9 10 11 12\n"},
                                   });
}

TEST(ZfsCollector, ExportsTheFixtureKstatsAndPools) {
  auto families = CollectFromFixtures(MakeZfsSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_zfs_arc_hits", {}), 18772612);
  EXPECT_EQ(FindFamily(f, "node_zfs_arc_hits")->help, "kstat.zfs.misc.arcstats.hits");
  EXPECT_EQ(FindFamily(f, "node_zfs_arc_hits")->type, prometheus::MetricType::Untyped);
  EXPECT_EQ(SampleValue(f, "node_zfs_fm_erpt_dropped", {}), 18);
  EXPECT_EQ(FindFamily(f, "node_zfs_fm_erpt_dropped")->help, "kstat.zfs.misc.fm.erpt-dropped");
  EXPECT_EQ(FindFamily(f, "node_zfs_arc_arc_no_grow"), nullptr);     // an int64 row
  EXPECT_EQ(FindFamily(f, "node_zfs_dbuf_hash_hits"), nullptr);      // 1.5 does not read dbufstats
  EXPECT_EQ(SampleValue(f, "node_zfs_zpool_nread", {{"zpool", "backup"}}), 2201600);
  EXPECT_EQ(FindFamily(f, "node_zfs_zpool_nread")->help, "kstat.zfs.misc.io.nread");
  EXPECT_EQ(SampleValue(f, "node_zfs_zpool_dataset_nread", {{"zpool", "tank"}, {"dataset", "tank/home"}}), 3441);
  EXPECT_EQ(SampleValue(f, "node_zfs_zpool_state", {{"zpool", "backup"}, {"state", "degraded"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_zfs_zpool_state", {{"zpool", "tank"}, {"state", "online"}}), 1);
  EXPECT_EQ(FindFamily(f, "node_zfs_zpool_state")->metric.size(), 12u);  // six states for two pools
  EXPECT_EQ(FindFamily(f, "node_zfs_zpool_state")->type, prometheus::MetricType::Gauge);
}

TEST(ZfsCollector, APoolExportedAfterTheListingIsSkipped) {
  testing::TempDir dir;
  dir.WriteFile("proc/spl/kstat/zfs/arcstats", std::string(kKstatHeader) + "hits 4 5\n");
  dir.WriteFile("proc/spl/kstat/zfs/tank/state", "ONLINE\n");
  dir.Symlink(dir.Join("gone"), "proc/spl/kstat/zfs/tank/objset-0x36");  // listed, unreadable
  dir.Symlink(dir.Join("gone"), "proc/spl/kstat/zfs/old");                // a whole pool gone
  auto families = CollectFrom(MakeZfsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_zfs_arc_hits", {}), 5);
  EXPECT_EQ(SampleValue(*families, "node_zfs_zpool_state", {{"zpool", "tank"}, {"state", "online"}}), 1);
  EXPECT_EQ(FindFamily(*families, "node_zfs_zpool_dataset_writes"), nullptr);
}

TEST(ZfsCollector, NoZfsIsNoDataAndAGarbledKstatIsAnError) {
  ExpectNotFoundOnEmptyHost(MakeZfsSpec());
  testing::TempDir dir;
  dir.MakeDir("proc/spl/kstat/zfs");
  auto none = CollectFrom(MakeZfsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(none.ok());  // loaded module without pools: every kstat file is optional
  EXPECT_TRUE(none->empty());
  dir.WriteFile("proc/spl/kstat/zfs/zil", "no header here\n");
  auto garbled = CollectFrom(MakeZfsSpec(), HostPathsIn(dir));
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.status().code(), StatusCode::kParseError);
}

}  // namespace
}  // namespace buildfarm::exporter
