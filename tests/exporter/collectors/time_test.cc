#include "exporter/collectors/time.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseClocksource, ReadsAvailableAndCurrent) {
  auto source = ParseClocksource("tsc hpet acpi_pm \n", "tsc\n");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->available, (std::vector<std::string>{"tsc", "hpet", "acpi_pm"}));
  EXPECT_EQ(source->current, "tsc");
  auto none_available = ParseClocksource("", "jiffies\n");
  ASSERT_TRUE(none_available.ok());
  EXPECT_TRUE(none_available->available.empty());
}

TEST(ParseClocksource, RejectsBadInput) {
  const std::pair<std::string, std::string> cases[] = {
      {"tsc", ""}, {"tsc", "\n"}, {"tsc", "tsc hpet"}, {"ts\x01" "c", "tsc"}, {"tsc", "\xff\xfe"},
  };
  for (const auto& [available, current] : cases) {
    EXPECT_FALSE(ParseClocksource(available, current).ok()) << available << " / " << current;
  }
}

TEST(TimeCollector, ExportsClockZoneAndFixtureClocksources) {
  std::time_t before = std::time(nullptr);
  auto families = CollectFromFixtures(MakeTimeSpec());
  std::time_t after = std::time(nullptr);
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  double now = SampleValue(*families, "node_time_seconds", {});
  EXPECT_GE(now, static_cast<double>(before));
  EXPECT_LE(now, static_cast<double>(after) + 1);

  const auto* zone = FindFamily(*families, "node_time_zone_offset_seconds");
  ASSERT_NE(zone, nullptr);
  ASSERT_EQ(zone->metric.size(), 1u);
  ASSERT_EQ(zone->metric[0].label.size(), 1u);
  EXPECT_EQ(zone->metric[0].label[0].name, "time_zone");
  std::tm local{};
  localtime_r(&before, &local);
  EXPECT_EQ(zone->metric[0].label[0].value, local.tm_zone);

  const auto* available = FindFamily(*families, "node_time_clocksource_available_info");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(available->metric.size(), 3u);
  EXPECT_DOUBLE_EQ(
      SampleValue(*families, "node_time_clocksource_available_info", {{"device", "0"}, {"clocksource", "hpet"}}), 1);
  EXPECT_DOUBLE_EQ(
      SampleValue(*families, "node_time_clocksource_current_info", {{"device", "0"}, {"clocksource", "tsc"}}), 1);
}

TEST(TimeCollector, LabelsDevicesByPositionLikeNodeExporter) {
  testing::TempDir dir;
  dir.WriteFile("sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc\n");
  dir.WriteFile("sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
  dir.WriteFile("sys/devices/system/clocksource/clocksource2/available_clocksource", "kvm-clock\n");
  dir.WriteFile("sys/devices/system/clocksource/clocksource2/current_clocksource", "kvm-clock\n");
  dir.MakeDir("sys/devices/system/clocksource/power");
  auto families = CollectFrom(MakeTimeSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_DOUBLE_EQ(
      SampleValue(*families, "node_time_clocksource_current_info", {{"device", "1"}, {"clocksource", "kvm-clock"}}), 1);
  EXPECT_EQ(FindFamily(*families, "node_time_clocksource_current_info")->metric.size(), 2u);
}

TEST(TimeCollector, NoClocksourceDirectoryIsNotAnError) {
  testing::TempDir dir;
  auto families = CollectFrom(MakeTimeSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindFamily(*families, "node_time_clocksource_current_info"), nullptr);
  EXPECT_NE(FindFamily(*families, "node_time_seconds"), nullptr);
}

TEST(TimeCollector, FailsOnBrokenClocksource) {
  testing::TempDir dir;
  dir.WriteFile("sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc\n");
  dir.WriteFile("sys/devices/system/clocksource/clocksource0/current_clocksource", "");
  auto families = CollectFrom(MakeTimeSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("clocksource0"), std::string::npos) << families.status().message();

  testing::TempDir missing_file;
  missing_file.WriteFile("sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc\n");
  EXPECT_FALSE(CollectFrom(MakeTimeSpec(), HostPathsIn(missing_file)).ok());
}

}  // namespace
}  // namespace buildfarm::exporter
