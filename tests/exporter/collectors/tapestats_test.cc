#include "exporter/collectors/tapestats.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseTapeStat, ParsesGoUnsignedIntegersAndIgnoresUnknownFiles) {
  TapeCounters counters;
  EXPECT_TRUE(ParseTapeStat("io_ns", "9247011087720", counters).ok());
  EXPECT_TRUE(ParseTapeStat("read_cnt", "0x10", counters).ok());
  EXPECT_TRUE(ParseTapeStat("write_cnt", "1_000", counters).ok());
  EXPECT_TRUE(ParseTapeStat("resid_cnt", "18446744073709551615", counters).ok());
  EXPECT_TRUE(ParseTapeStat("unknown_cnt", "garbage", counters).ok());
  EXPECT_EQ(counters.io_ns, 9247011087720u);
  EXPECT_EQ(counters.read_cnt, 16u);
  EXPECT_EQ(counters.write_cnt, 1000u);
  EXPECT_EQ(counters.resid_cnt, UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", "1.5", "x", "18446744073709551616", "1__0", "0x", "\xff"}) {
    Status status = ParseTapeStat("other_cnt", bad, counters);
    EXPECT_EQ(status.code(), StatusCode::kParseError) << bad;
  }
  EXPECT_EQ(ParseTapeStat("io_ns", std::string(1 << 20, '9'), counters).code(), StatusCode::kParseError);
}

TEST(IsTapeDeviceName, OnlyStN) {
  for (const char* name : {"st0", "st12"}) EXPECT_TRUE(IsTapeDeviceName(name)) << name;
  for (const char* name : {"st", "nst0", "st0a", "st0l", "sta", "xst0", ""}) EXPECT_FALSE(IsTapeDeviceName(name)) << name;
}

TEST(TapestatsCollector, ExportsTheFixtureDriveInSeconds) {
  auto families = CollectFromFixtures(MakeTapestatsSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_tape_io_now", {{"device", "st0"}}), 1);
  EXPECT_EQ(SampleValue(*families, "node_tape_io_time_seconds_total", {{"device", "st0"}}), 9247011087720 * 1e-9);
  EXPECT_EQ(SampleValue(*families, "node_tape_written_bytes_total", {{"device", "st0"}}), 1496246784000);
  // nst0 and st0a are other nodes of the same drive.
  EXPECT_EQ(FindFamily(*families, "node_tape_io_now")->metric.size(), 1u);
}

TEST(TapestatsCollector, IgnoredDevicesFlag) {
  auto families = CollectFromFixtures(SpecWithFlags(MakeTapestatsSpec(), {"--collector.tapestats.ignored-devices=^st0$"}));
  ASSERT_TRUE(families.ok());
  EXPECT_TRUE(families->empty());
  auto bad = CollectFromFixtures(SpecWithFlags(MakeTapestatsSpec(), {"--collector.tapestats.ignored-devices=("}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("collector.tapestats.ignored-devices"), std::string::npos);
}

TEST(TapestatsCollector, DriveRemovedBetweenListingAndReadingIsSkipped) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/scsi_tape/st0/stats/read_cnt", "7\n");
  dir.Symlink(dir.Join("sys/devices/gone/st1"), "sys/class/scsi_tape/st1");
  auto families = CollectFrom(MakeTapestatsSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_tape_reads_completed_total", {{"device", "st0"}}), 7);
  EXPECT_EQ(SampleValue(*families, "node_tape_io_now", {{"device", "st0"}}), 0);  // missing files read as 0
  EXPECT_EQ(FindFamily(*families, "node_tape_io_now")->metric.size(), 1u);
}

TEST(TapestatsCollector, GarbledCounterFailsTheScrapeNamingIt) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/scsi_tape/st0/stats/write_ns", "12 ms\n");
  auto families = CollectFrom(MakeTapestatsSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().ToString().find("write_ns"), std::string::npos) << families.status().ToString();
  ExpectNotFoundOnEmptyHost(MakeTapestatsSpec());
}

}  // namespace
}  // namespace buildfarm::exporter
