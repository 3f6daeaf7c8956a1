#include "exporter/collectors/powersupplyclass.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParsePowerSupplyAttribute, ScalesNumbersAndKeepsLabels) {
  struct Case {
    const char* file;
    const char* value;
    const char* metric;
    double want;
  };
  const Case cases[] = {
      {"capacity", "98", "capacity", 98},
      {"cycle_count", "5", "cyclecount", 5},
      {"energy_now", "49450000", "energy_watthour", 49.45},
      {"voltage_now", "12229000", "voltage_volt", 12.229},
      {"current_now", "-1500000", "current_ampere", -1.5},
      {"temp", "-7", "temp_celsius", -0.7},
      {"online", "0x10", "online", 16},
      {"present", "1_0", "present", 10},
      {"capacity_alert_min", "010", "capacity_alert_min", 8},
      {"time_to_full_now", "3600", "time_to_full_seconds", 3600},
  };
  for (const Case& c : cases) {
    PowerSupply supply;
    ASSERT_TRUE(ParsePowerSupplyAttribute(c.file, c.value, supply).ok()) << c.file;
    ASSERT_EQ(supply.values.count(c.metric), 1u) << c.file;
    EXPECT_EQ(supply.values[c.metric], c.want) << c.file;  // exactly: node_exporter divides
  }
  PowerSupply supply;
  ASSERT_TRUE(ParsePowerSupplyAttribute("model_name",
                                        "a\xff"
                                        "b",
                                        supply)
                  .ok());
  ASSERT_TRUE(ParsePowerSupplyAttribute("status", "", supply).ok());  // empty: no label
  ASSERT_TRUE(ParsePowerSupplyAttribute("uevent", "POWER_SUPPLY_NAME=X", supply).ok());
  EXPECT_EQ(supply.labels, (std::map<std::string, std::string>{{"model_name",
                                                                "a\xEF\xBF\xBD"
                                                                "b"}}));
  EXPECT_TRUE(supply.values.empty());
}

TEST(ParsePowerSupplyAttribute, RejectsWhatNodeExporterRejects) {
  const std::pair<const char*, std::string> cases[] = {{"capacity", "abc"},
                                                       {"power_now", "99999999999999999999"},
                                                       {"power_now", ""},
                                                       {"temp", "1.5"},
                                                       {"charge_avg", "abc"},  // not exported, but parsed
                                                       {"voltage_now", std::string(1 << 16, '9')}};
  for (const auto& [file, value] : cases) {
    PowerSupply supply;
    EXPECT_FALSE(ParsePowerSupplyAttribute(file, value, supply).ok()) << file << "=" << value.substr(0, 20);
  }
}

TEST(PowerSupplyClassCollector, ExportsFixtureSupplies) {
  auto families = CollectFromFixtures(MakePowerSupplyClassSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_power_supply_online", {{"power_supply", "AC"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_power_supply_capacity", {{"power_supply", "BAT0"}}), 98);
  EXPECT_EQ(SampleValue(f, "node_power_supply_energy_watthour", {{"power_supply", "BAT0"}}), 49.45);
  EXPECT_EQ(SampleValue(f, "node_power_supply_voltage_min_design", {{"power_supply", "BAT0"}}), 10.8);
  EXPECT_EQ(SampleValue(f, "node_power_supply_info", {{"power_supply", "AC"}, {"type", "Mains"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_power_supply_info",
                        {{"power_supply", "BAT0"},
                         {"capacity_level", "Normal"},
                         {"manufacturer", "LGC"},
                         {"model_name", "LNV-45N1"},
                         {"serial_number", "38109"},
                         {"status", "Discharging"},
                         {"technology", "Li-ion"},
                         {"type", "Battery"}}),
            1);
  EXPECT_EQ(FindFamily(f, "node_power_supply_energy_full")->help,
            "energy_full value of /sys/class/power_supply/<power_supply>.");
}

TEST(PowerSupplyClassCollector, IgnoredSuppliesFlag) {
  auto families =
      CollectFromFixtures(SpecWithFlags(MakePowerSupplyClassSpec(), {"--collector.powersupply.ignored-supplies=^BAT"}));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindFamily(*families, "node_power_supply_info")->metric.size(), 1u);
  EXPECT_EQ(FindFamily(*families, "node_power_supply_capacity"), nullptr);
}

TEST(PowerSupplyClassCollector, SkipsNonFilesAndFailsOnGarbage) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/power_supply/X/temp_min", "-7\n");
  dir.Symlink(dir.Join("sys/class/power_supply/X/temp_min"), "sys/class/power_supply/X/temp_max");
  dir.MakeDir("sys/class/power_supply/X/power");
  dir.MakeDir("sys/class/power_supply/Y");
  auto families = CollectFrom(MakePowerSupplyClassSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_power_supply_temp_min_celsius", {{"power_supply", "X"}}), -0.7);
  EXPECT_EQ(FindFamily(*families, "node_power_supply_temp_max_celsius"), nullptr);
  EXPECT_EQ(SampleValue(*families, "node_power_supply_info", {{"power_supply", "Y"}}), 1);

  dir.WriteFile("sys/class/power_supply/Y/capacity", "abc\n");
  auto garbage = CollectFrom(
      SpecWithFlags(MakePowerSupplyClassSpec(), {"--collector.powersupply.ignored-supplies=^Y$"}), HostPathsIn(dir));
  EXPECT_FALSE(garbage.ok());  // ignored supplies are still read first, as in node_exporter
}

TEST(PowerSupplyClassCollector, MissingClassIsNoDataAndAnUnpluggedSupplyIsSkipped) {
  testing::TempDir dir;
  dir.MakeDir("sys");
  auto missing = CollectFrom(MakePowerSupplyClassSpec(), HostPathsIn(dir));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  dir.WriteFile("sys/class/power_supply/AC/online", "1\n");
  dir.Symlink(dir.Join("sys/devices/gone/BAT1"), "sys/class/power_supply/BAT1");  // unplugged mid-scrape
  auto vanished = CollectFrom(MakePowerSupplyClassSpec(), HostPathsIn(dir));
  ASSERT_TRUE(vanished.ok()) << vanished.status().ToString();
  EXPECT_EQ(SampleValue(*vanished, "node_power_supply_online", {{"power_supply", "AC"}}), 1);
  EXPECT_EQ(FindFamily(*vanished, "node_power_supply_info")->metric.size(), 1u);
}

}  // namespace
}  // namespace buildfarm::exporter
