#include "exporter/collectors/rapl.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(RaplZoneIndexAndName, SplitsOneDashAndCountsRepeats) {
  std::map<std::string, std::int64_t> seen;
  struct Want {
    const char* raw;
    const char* name;
    std::int64_t index;
  };
  const Want wants[] = {
      {"package-0", "package", 0},
      {"package-1", "package", 1},
      {"dram", "dram", 0},
      {"dram", "dram", 1},
      {"package", "package", 2},  // counted after package-1
      {"my zone.x-7", "my zone.x", 7},
      {"a-b-c", "a-b-c", 0},
      {"package-x", "package-x", 0},
      {"-", "-", 0},
      {"", "", 0},
      {"psys-+-1", "psys-+-1", 0},
      {"core-99999999999", "core", 99999999999},
  };
  for (const Want& want : wants) {
    RaplZoneName zone = RaplZoneIndexAndName(want.raw, seen);
    EXPECT_EQ(zone.name, want.name) << want.raw;
    EXPECT_EQ(zone.index, want.index) << want.raw;
  }
}

TEST(SanitizeMetricName, ReplacesEachInvalidCharacter) {
  EXPECT_EQ(SanitizeMetricName("my zone.x_joules_total"), "my_zone_x_joules_total");
  EXPECT_EQ(SanitizeMetricName("-_joules_total"), "__joules_total");
  EXPECT_EQ(SanitizeMetricName("a:b"), "a_b");
  EXPECT_EQ(SanitizeMetricName("\xff"), "_");
}

TEST(RaplCollector, ExportsFixtureZones) {
  auto families = CollectFromFixtures(MakeRaplSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const std::string dir = FixturePaths().Sys("class/powercap");
  const auto& f = *families;
  EXPECT_DOUBLE_EQ(SampleValue(f, "node_rapl_package_joules_total", {{"index", "0"}, {"path", dir + "/intel-rapl:0"}}),
                   240422.366267);
  EXPECT_DOUBLE_EQ(SampleValue(f, "node_rapl_core_joules_total", {{"index", "0"}, {"path", dir + "/intel-rapl:0:0"}}),
                   118821.284256);
  EXPECT_DOUBLE_EQ(SampleValue(f, "node_rapl_psys_joules_total", {{"index", "0"}, {"path", dir + "/intel-rapl:1"}}),
                   5.129375);
  EXPECT_EQ(FindFamily(f, "node_rapl_uncore_joules_total")->help, "Current RAPL uncore value in joules");
  EXPECT_EQ(FindFamily(f, "node_rapl_uncore_joules_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(f.size(), 4u);  // the intel-rapl control type directory has no name: not a zone
}

TEST(RaplCollector, ZoneLabelFlagFoldsZonesIntoOneMetric) {
  auto families = CollectFromFixtures(SpecWithFlags(MakeRaplSpec(), {"--collector.rapl.enable-zone-label"}));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  const auto& family = families->front();
  EXPECT_EQ(family.name, "node_rapl_joules_total");
  EXPECT_EQ(family.help, "Current RAPL value in joules");
  EXPECT_EQ(family.metric.size(), 4u);
  const std::string dir = FixturePaths().Sys("class/powercap");
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_rapl_joules_total",
                               {{"index", "0"}, {"path", dir + "/intel-rapl:0:1"}, {"rapl_zone", "uncore"}}),
                   0.043994);
}

TEST(RaplCollector, BrokenZonesFailAndMissingPowercapIsNoData) {
  struct Case {
    const char* name;
    const char* max_range;  // nullptr: absent
    const char* energy;     // nullptr: absent
  };
  const Case cases[] = {{"garbled energy", "100\n", "lots\n"},
                        {"negative energy", "100\n", "-1\n"},
                        {"missing energy", "100\n", nullptr},
                        {"missing max range", nullptr, "1\n"},
                        {"garbled max range", "x\n", "1\n"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir dir;
    dir.WriteFile("sys/class/powercap/intel-rapl:0/name", "package-0\n");
    if (c.max_range) dir.WriteFile("sys/class/powercap/intel-rapl:0/max_energy_range_uj", c.max_range);
    if (c.energy) dir.WriteFile("sys/class/powercap/intel-rapl:0/energy_uj", c.energy);
    EXPECT_FALSE(CollectFrom(MakeRaplSpec(), HostPathsIn(dir)).ok());
  }
  testing::TempDir none;
  none.MakeDir("sys");
  auto missing = CollectFrom(MakeRaplSpec(), HostPathsIn(none));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace buildfarm::exporter
