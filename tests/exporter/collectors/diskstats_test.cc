#include "exporter/collectors/diskstats.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

// The spec with its flags parsed from `args` (udev data from the fixture tree unless overridden).
CollectorSpec DiskstatsSpecWith(std::vector<std::string> args = {}) {
  CollectorSpec spec = MakeDiskstatsSpec();
  FlagSet flags("test", "");
  spec.add_flags(flags);
  std::vector<std::string> argv = {"test"};
  bool udev_given = false;
  for (const auto& arg : args) udev_given = udev_given || arg.rfind("--path.udev.data", 0) == 0;
  if (!udev_given) argv.push_back("--path.udev.data=" + testing::SourcePath("tests/fixtures/rootfs/run/udev/data"));
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<const char*> raw;
  for (const auto& arg : argv) raw.push_back(arg.c_str());
  Status parsed = flags.Parse(static_cast<int>(raw.size()), raw.data());
  EXPECT_TRUE(parsed.ok()) << parsed.ToString();
  return spec;
}

TEST(ParseDiskstats, ReadsEveryLayout) {
  struct Case {
    const char* text;
    int value_count;
    std::uint64_t last_value;
  };
  const Case cases[] = {
      {"   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n", 11, 11},                       // kernel < 4.18
      {"   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n", 15, 15},           // discards
      {"   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", 17, 17},     // flushes
      {"8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", 17, 17},          // future fields ignored
      {"8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 x y", 17, 17},            // ... even when not numbers
      {"\t8\t0\tsda\t1 2 3 4 5 6 7 8 9 10 11\r\n", 11, 11},
      {"8 0 sda 1 2 3 4 5 6 7 8 9 10 18446744073709551615", 11, 18446744073709551615ull},
  };
  for (const Case& c : cases) {
    auto lines = ParseDiskstats(c.text);
    ASSERT_TRUE(lines.ok()) << c.text << ": " << lines.status().ToString();
    ASSERT_EQ(lines->size(), 1u) << c.text;
    const DiskStatsLine& line = (*lines)[0];
    EXPECT_EQ(line.major, 8u);
    EXPECT_EQ(line.minor, 0u);
    EXPECT_EQ(line.device, "sda");
    EXPECT_EQ(line.value_count, c.value_count) << c.text;
    EXPECT_EQ(line.values[0], 1u);
    EXPECT_EQ(line.values[line.value_count - 1], c.last_value) << c.text;
  }
}

TEST(ParseDiskstats, SkipsShortAndBlankLines) {
  // node_exporter ignores lines with fewer than 11 counters (old 4-field partition lines, truncation).
  for (const char* text : {"", "\n\n", "8 0 sda 1 2 3 4\n", "8 0 sda 1 2 3 4 5 6 7 8 9 10\n", "8 0\n", "8\n", "8 0 sda\n"}) {
    auto lines = ParseDiskstats(text);
    ASSERT_TRUE(lines.ok()) << text << ": " << lines.status().ToString();
    EXPECT_TRUE(lines->empty()) << text;
  }
}

TEST(ParseDiskstats, RejectsGarbledNumbers) {
  for (const char* text : {"8 0 sda 0x10 2 3 4 5 6 7 8 9 10 11", "8 0 sda -1 2 3 4 5 6 7 8 9 10 11",
                           "8 0 sda 18446744073709551616 2 3 4 5 6 7 8 9 10 11", "x 0 sda 1 2 3 4 5 6 7 8 9 10 11",
                           "8 y sda 1 2 3 4 5 6 7 8 9 10 11", "8 0 sda 1 2 3 4 5 6 7 8 9 10 1.5",
                           "8 0 sda 1 2 x", "garbage\n"}) {
    auto lines = ParseDiskstats(text);
    EXPECT_FALSE(lines.ok()) << text;
    if (!lines.ok()) EXPECT_NE(lines.status().message().find("diskstats line 1"), std::string::npos);
  }
}

TEST(ParseDiskstats, HandlesHugeInput) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "8 " + std::to_string(i) + " sd" + std::to_string(i) + " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n";
  auto lines = ParseDiskstats(text);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->size(), 20000u);
  EXPECT_FALSE(ParseDiskstats(std::string(1 << 20, '7')).ok());  // an absurd major number: an error, no crash
}

TEST(ParseUdevData, ReadsPropertiesOnly) {
  UdevProperties props = ParseUdevData("S:disk/by-id/x\nE:ID_MODEL=a=b\r\nE:NOEQUALS\nJUNK\nE:ID_WWN= spaced \nE:ID_MODEL=last\nE:EMPTY=\n");
  EXPECT_EQ(props.Get("ID_MODEL"), "last");
  EXPECT_EQ(props.Get("ID_WWN"), " spaced ");
  EXPECT_TRUE(props.Has("EMPTY"));
  EXPECT_EQ(props.Get("EMPTY"), "");
  EXPECT_FALSE(props.Has("NOEQUALS"));
  EXPECT_FALSE(props.Has("disk/by-id/x"));
  EXPECT_TRUE(ParseUdevData("").entries.empty());
}

TEST(DiskstatsCollector, ExportsFixtureCountersInNodeExporterUnits) {
  auto families = CollectFrom(DiskstatsSpecWith(), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_disk_reads_completed_total", {{"device", "sda"}}), 25354637);
  EXPECT_EQ(SampleValue(f, "node_disk_reads_merged_total", {{"device", "sda"}}), 34367663);
  EXPECT_EQ(SampleValue(f, "node_disk_read_bytes_total", {{"device", "sda"}}), 1003346126.0 * 512);
  EXPECT_EQ(SampleValue(f, "node_disk_read_time_seconds_total", {{"device", "sda"}}), 18492372 * 0.001);
  EXPECT_EQ(SampleValue(f, "node_disk_written_bytes_total", {{"device", "sda"}}), 505697032.0 * 512);
  EXPECT_EQ(SampleValue(f, "node_disk_write_time_seconds_total", {{"device", "sda"}}), 63877960 * 0.001);
  EXPECT_EQ(SampleValue(f, "node_disk_io_now", {{"device", "sda"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_disk_io_time_seconds_total", {{"device", "sda"}}), 9653880 * 0.001);
  EXPECT_EQ(SampleValue(f, "node_disk_io_time_weighted_seconds_total", {{"device", "sda"}}), 82621884 * 0.001);
  EXPECT_EQ(SampleValue(f, "node_disk_read_time_seconds_total", {{"device", "nvme0n1"}}), 21.650000000000002);
  // Discard and flush counters only where the line has them.
  EXPECT_EQ(SampleValue(f, "node_disk_discarded_sectors_total", {{"device", "sdb"}}), 1925173784);
  EXPECT_EQ(SampleValue(f, "node_disk_discard_time_seconds_total", {{"device", "sdb"}}), 11130 * 0.001);
  EXPECT_EQ(SampleValue(f, "node_disk_flush_requests_total", {{"device", "nvme0n1"}}), 5731);
  EXPECT_EQ(SampleValue(f, "node_disk_flush_requests_time_seconds_total", {{"device", "nvme0n1"}}), 1128 * 0.001);
  EXPECT_EQ(FindSample(f, "node_disk_discards_completed_total", {{"device", "sda"}}), nullptr);
  EXPECT_EQ(FindSample(f, "node_disk_flush_requests_total", {{"device", "sdb"}}), nullptr);
  EXPECT_EQ(FindFamily(f, "node_disk_io_now")->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(FindFamily(f, "node_disk_reads_completed_total")->type, prometheus::MetricType::Counter);
  // The default exclusion: partitions, loop, ram.
  for (const char* excluded : {"sda1", "nvme0n1p1", "loop0", "ram0"}) {
    EXPECT_EQ(FindSample(f, "node_disk_reads_completed_total", {{"device", excluded}}), nullptr) << excluded;
  }
  EXPECT_EQ(FindFamily(f, "node_disk_reads_completed_total")->metric.size(), 6u);  // sda sdb nvme0n1 dm-0 md0 sr0
}

TEST(DiskstatsCollector, ExportsUdevInfo) {
  auto families = CollectFrom(DiskstatsSpecWith(), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_disk_info",
                        {{"device", "sda"}, {"major", "8"}, {"minor", "0"}, {"path", "pci-0000:00:17.0-ata-1"},
                         {"wwn", "0x5002538e40a0eb0a"}, {"model", "Samsung_SSD_860_EVO_1TB"},
                         {"serial", "S3Z8NB0K123456R"}, {"revision", "RVT01B6Q"}}),
            1);
  // node_exporter 1.5 takes the serial from ID_SERIAL_SHORT only.
  EXPECT_NE(FindSample(f, "node_disk_info",
                       {{"device", "sdb"}, {"major", "8"}, {"minor", "16"}, {"path", "pci-0000:00:17.0-ata-2"},
                        {"wwn", ""}, {"model", "WDC_WD20EFRX"}, {"serial", ""}, {"revision", ""}}),
            nullptr);
  EXPECT_NE(FindSample(f, "node_disk_info",
                       {{"device", "sr0"}, {"major", "11"}, {"minor", "0"}, {"path", ""}, {"wwn", ""}, {"model", ""},
                        {"serial", ""}, {"revision", ""}}),
            nullptr);
  EXPECT_EQ(SampleValue(f, "node_disk_filesystem_info",
                        {{"device", "dm-0"}, {"type", "ext4"}, {"usage", "filesystem"},
                         {"uuid", "5a0d64e1-1234-4321-aaaa-0123456789ab"}, {"version", "1.0"}}),
            1);
  EXPECT_EQ(SampleValue(f, "node_disk_device_mapper_info",
                        {{"device", "dm-0"}, {"name", "vg0-root"}, {"uuid", "LVM-abcdef"}, {"vg_name", "vg0"},
                         {"lv_name", "root"}, {"lv_layer", ""}}),
            1);
  EXPECT_EQ(SampleValue(f, "node_disk_ata_rotation_rate_rpm", {{"device", "sdb"}}), 5400);
  EXPECT_EQ(SampleValue(f, "node_disk_ata_write_cache_enabled", {{"device", "sdb"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_disk_ata_write_cache", {{"device", "sda"}}), 1);
  EXPECT_EQ(FindFamily(f, "node_disk_ata_rotation_rate_rpm")->metric.size(), 2u);
}

TEST(DiskstatsCollector, AtaSeriesNeedIdAtaAndNumbers) {
  testing::TempDir dir;
  dir.WriteFile("proc/diskstats", "8 32 sdc 1 2 3 4 5 6 7 8 9 10 11\n8 48 sdd 1 2 3 4 5 6 7 8 9 10 11\n");
  dir.WriteFile("udev/b8:32", "E:ID_ATA_ROTATION_RATE_RPM=7200\n");
  dir.WriteFile("udev/b8:48", "E:ID_ATA=0\nE:ID_ATA_ROTATION_RATE_RPM=fast\nE:ID_ATA_WRITE_CACHE=1\n");
  auto families = CollectFrom(DiskstatsSpecWith({"--path.udev.data=" + dir.Join("udev")}), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindSample(*families, "node_disk_ata_rotation_rate_rpm", {{"device", "sdc"}}), nullptr);
  EXPECT_EQ(FindSample(*families, "node_disk_ata_rotation_rate_rpm", {{"device", "sdd"}}), nullptr);
  EXPECT_EQ(SampleValue(*families, "node_disk_ata_write_cache", {{"device", "sdd"}}), 1);
}

TEST(DiskstatsCollector, DeviceFlags) {
  // --device-include alone replaces the default exclusion (node_exporter 1.5 refuses to start).
  auto included = CollectFrom(DiskstatsSpecWith({"--collector.diskstats.device-include=^sd"}), FixturePaths());
  ASSERT_TRUE(included.ok()) << included.status().ToString();
  EXPECT_EQ(FindFamily(*included, "node_disk_reads_completed_total")->metric.size(), 3u);  // sda sda1 sdb
  EXPECT_NE(FindSample(*included, "node_disk_reads_completed_total", {{"device", "sda1"}}), nullptr);

  auto excluded = CollectFrom(DiskstatsSpecWith({"--collector.diskstats.device-exclude=^s"}), FixturePaths());
  ASSERT_TRUE(excluded.ok());
  EXPECT_NE(FindSample(*excluded, "node_disk_reads_completed_total", {{"device", "loop0"}}), nullptr);
  EXPECT_EQ(FindSample(*excluded, "node_disk_reads_completed_total", {{"device", "sda"}}), nullptr);

  auto both = CollectFrom(DiskstatsSpecWith({"--collector.diskstats.device-exclude=^s",
                                             "--collector.diskstats.device-include=^sd"}),
                          FixturePaths());
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("mutually exclusive"), std::string::npos);

  auto bad_regex = CollectFrom(DiskstatsSpecWith({"--collector.diskstats.device-exclude=(("}), FixturePaths());
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_NE(bad_regex.status().message().find("--collector.diskstats.device-exclude"), std::string::npos);
}

TEST(DiskstatsCollector, FailsOnBrokenFile) {
  testing::TempDir dir;
  dir.WriteFile("proc/diskstats", "8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 16 sdb 1 2 x 4 5 6 7 8 9 10 11\n");
  auto families = CollectFrom(DiskstatsSpecWith(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("proc/diskstats"), std::string::npos) << families.status().ToString();
  EXPECT_NE(families.status().message().find("line 2"), std::string::npos) << families.status().ToString();

  testing::TempDir missing;
  EXPECT_FALSE(CollectFrom(DiskstatsSpecWith(), HostPathsIn(missing)).ok());
}

TEST(DiskstatsCollector, EmptyFileExportsNothing) {
  testing::TempDir dir;
  dir.WriteFile("proc/diskstats", "");
  auto families = CollectFrom(DiskstatsSpecWith(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok());
  EXPECT_TRUE(families->empty());
}

}  // namespace
}  // namespace buildfarm::exporter
