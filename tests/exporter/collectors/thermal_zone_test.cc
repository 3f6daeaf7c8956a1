#include "exporter/collectors/thermal_zone.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseSysfsInt64, Table) {
  const std::pair<const char*, std::int64_t> good[] = {
      {"45000\n", 45000}, {" -1500 ", -1500}, {"0", 0}, {"+7\n", 7}, {"9223372036854775807", INT64_MAX}};
  for (const auto& [text, want] : good) {
    auto value = ParseSysfsInt64(text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_EQ(*value, want);
  }
  for (const char* bad : {"", "\n", "1.5", "1x", "x", "9223372036854775808", "0x10", "1 2"}) {
    EXPECT_FALSE(ParseSysfsInt64(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseSysfsInt64(std::string(1 << 20, '9')).ok());
}

TEST(ParseThermalZone, ScalesAndValidates) {
  auto zone = ParseThermalZone(" acpitz \n", "27800\n", nullptr);
  ASSERT_TRUE(zone.ok());
  EXPECT_EQ(zone->type, "acpitz");
  EXPECT_EQ(zone->celsius, 27.8);
  std::string_view passive = "0\n";
  EXPECT_TRUE(ParseThermalZone("a", "1", &passive).ok());
  std::string_view bad_passive = "zz";
  EXPECT_FALSE(ParseThermalZone("a", "1", &bad_passive).ok());
  EXPECT_FALSE(ParseThermalZone("a", "1.5", nullptr).ok());
  EXPECT_FALSE(ParseThermalZone("a", "", nullptr).ok());

  auto cooling = ParseCoolingDevice("Processor\n", "-1\n", "3\n");
  ASSERT_TRUE(cooling.ok());
  EXPECT_EQ(cooling->type, "Processor");
  EXPECT_EQ(cooling->cur_state, -1);
  EXPECT_EQ(cooling->max_state, 3);
  EXPECT_FALSE(ParseCoolingDevice("a", "x", "3").ok());
  EXPECT_FALSE(ParseCoolingDevice("a", "1", "").ok());
}

TEST(ThermalZoneCollector, ExportsFixtureZonesAndCoolingDevices) {
  auto families = CollectFromFixtures(MakeThermalZoneSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_thermal_zone_temp", {{"zone", "0"}, {"type", "acpitz"}}), 27.8);
  EXPECT_EQ(SampleValue(f, "node_thermal_zone_temp", {{"zone", "1"}, {"type", "x86_pkg_temp"}}), -1.5);
  EXPECT_EQ(SampleValue(f, "node_cooling_device_cur_state", {{"name", "0"}, {"type", "Processor"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_cooling_device_max_state", {{"name", "0"}, {"type", "Processor"}}), 3);
  EXPECT_EQ(SampleValue(f, "node_cooling_device_cur_state", {{"name", "1"}, {"type", "intel_powerclamp"}}), -1);
  EXPECT_EQ(SampleValue(f, "node_cooling_device_max_state", {{"name", "1"}, {"type", "intel_powerclamp"}}), 50);
  EXPECT_EQ(f.size(), 3u);
}

TEST(ThermalZoneCollector, FollowsNodeExporterSelectionRules) {
  testing::TempDir dir;
  for (const char* zone : {"thermal_zone12", "thermal_zoneX"}) {
    std::string base = std::string("sys/class/thermal/") + zone;
    dir.WriteFile(base + "/type", "a\n");
    dir.WriteFile(base + "/temp", "1000\n");
    dir.WriteFile(base + "/policy", "step_wise\n");
  }
  dir.WriteFile("sys/class/thermal/thermal_zone12/mode", "weird\n");  // mode is not checked
  auto families = CollectFrom(MakeThermalZoneSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ((*families)[0].metric.size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_thermal_zone_temp", {{"zone", "12"}, {"type", "a"}}), 1);

  testing::TempDir no_thermal;  // containers: no class/thermal at all is not an error
  no_thermal.MakeDir("sys/class");
  auto nothing = CollectFrom(MakeThermalZoneSpec(), HostPathsIn(no_thermal));
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST(ThermalZoneCollector, FailsOnBrokenFiles) {
  struct Case {
    const char* file;
    const char* content;  // nullptr: leave the file out
  };
  const Case cases[] = {
      {"thermal_zone0/temp", "garbage\n"}, {"thermal_zone0/temp", ""},        {"thermal_zone0/policy", nullptr},
      {"thermal_zone0/type", nullptr},     {"thermal_zone0/passive", "zz\n"}, {"cooling_device0/cur_state", "x"},
      {"cooling_device0/max_state", nullptr},
  };
  for (const Case& c : cases) {
    testing::TempDir dir;
    const std::pair<const char*, const char*> files[] = {
        {"thermal_zone0/type", "acpitz\n"}, {"thermal_zone0/temp", "1000\n"}, {"thermal_zone0/policy", "step_wise\n"},
        {"cooling_device0/type", "Fan\n"},  {"cooling_device0/cur_state", "1\n"}, {"cooling_device0/max_state", "2\n"},
    };
    for (const auto& [name, content] : files) {
      if (std::string_view(name) == c.file) continue;
      dir.WriteFile(std::string("sys/class/thermal/") + name, content);
    }
    if (c.content != nullptr) dir.WriteFile(std::string("sys/class/thermal/") + c.file, c.content);
    auto families = CollectFrom(MakeThermalZoneSpec(), HostPathsIn(dir));
    EXPECT_FALSE(families.ok()) << c.file << " = " << (c.content ? c.content : "(missing)");
    if (!families.ok()) {
      EXPECT_NE(families.status().message().find(std::string(c.file).substr(0, c.file[0] == 't' ? 13 : 15)),
                std::string::npos)
          << families.status().ToString();
    }
  }
}

}  // namespace
}  // namespace buildfarm::exporter
