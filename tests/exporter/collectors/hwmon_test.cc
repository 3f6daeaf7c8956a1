#include "exporter/collectors/hwmon.h"

#include <gtest/gtest.h>

#include <thread>

#include "exporter/procfs/sysfs_attribute.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr const char* kCoretemp = "platform_coretemp_0";
constexpr const char* kK10 = "pci0000:00_0000:00:18_3";

TEST(ParseHwmonFileName, SplitsTypeNumberProperty) {
  struct Case {
    const char* name;
    bool ok;
    const char* type;
    long long number;
    const char* property;
  };
  const Case cases[] = {
      {"temp1_input", true, "temp", 1, "input"},
      {"temp1_crit_alarm", true, "temp", 1, "crit_alarm"},
      {"in0_input", true, "in", 0, "input"},
      {"pwm1", true, "pwm", 1, ""},
      {"beep_enable", true, "beep_enable", 0, ""},
      {"update_interval", true, "update_interval", 0, ""},
      {"temp01_input", true, "temp", 1, "input"},
      {"temp1_auto_point1_pwm", true, "temp", 1, "auto_point1_pwm"},
      {"name", true, "name", 0, ""},
      {"temp99999999999999999999_input", true, "temp", 0, "input"},  // Go's Atoi fails: 0
      {"", false, "", 0, ""},
      {"1_input", false, "", 0, ""},
      {"temp1input", false, "", 0, ""},
      {"temp1_", false, "", 0, ""},
  };
  for (const Case& c : cases) {
    auto parsed = ParseHwmonFileName(c.name);
    ASSERT_EQ(parsed.has_value(), c.ok) << c.name;
    if (!c.ok) continue;
    EXPECT_EQ(parsed->type, c.type) << c.name;
    EXPECT_EQ(parsed->number, c.number) << c.name;
    EXPECT_EQ(parsed->property, c.property) << c.name;
  }
  EXPECT_TRUE(IsHwmonSensorType("temp"));
  EXPECT_TRUE(IsHwmonSensorType("intrusion"));
  EXPECT_FALSE(IsHwmonSensorType("name"));
  EXPECT_FALSE(IsHwmonSensorType("foo"));
}

TEST(CleanHwmonName, MatchesNodeExporter) {
  const std::pair<const char*, const char*> cases[] = {
      {"coretemp\n", "coretemp"},       {"My Chip-X", "my_chip_x"},       {"coretemp.0", "coretemp_0"},
      {"0000:00:18.3", "0000:00:18_3"}, {"\xC3\x9Cn\xC3\xAF" "code Chip", "n_code_chip"},
      {"___", ""},                      {"", ""},                         {"\xff\xfe" "a", "a"},
  };
  for (const auto& [raw, want] : cases) EXPECT_EQ(CleanHwmonName(raw), want) << raw;
}

TEST(HwmonChipFromDevicePath, JoinsParentAndDevice) {
  EXPECT_EQ(HwmonChipFromDevicePath("/sys/devices/platform/coretemp.0"), "platform_coretemp_0");
  EXPECT_EQ(HwmonChipFromDevicePath("/sys/devices/pci0000:00/0000:00:18.3"), "pci0000:00_0000:00:18_3");
  EXPECT_EQ(HwmonChipFromDevicePath("/nvme0"), "nvme0");
  EXPECT_EQ(HwmonChipFromDevicePath("/x/..."), "");  // nothing usable in the device name: the caller falls back
  EXPECT_EQ(HwmonChipFromDevicePath("/x/-"), "");
}

TEST(ToValidUtf8, ReplacesInvalidRuns) {
  EXPECT_EQ(ToValidUtf8("Core 0"), "Core 0");
  EXPECT_EQ(ToValidUtf8("\xff\xfe" "bad"), "\xEF\xBF\xBD" "bad");
  EXPECT_EQ(ToValidUtf8("a\xC3"), "a\xEF\xBF\xBD");                 // truncated sequence
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD");           // a surrogate
  EXPECT_EQ(ToValidUtf8("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");  // valid multi-byte
}

TEST(BuildHwmonSeries, NamesAndScalesLikeNodeExporter) {
  HwmonSensorData data;
  data["temp3"][""] = "9";
  data["temp3"]["input"] = "8";
  data["temp1"]["alarm"] = "2";
  data["temp1"]["label"] = " Core\t0  ";
  data["temp1"]["input"] = "  55000 ";  // node_exporter keeps the spaces, so this is not a number
  data["fan1"]["beep"] = "5";
  data["fan1"]["div"] = "2";
  data["beep_enable0"][""] = "2";
  data["power1"]["average_interval"] = "7";
  data["in1"]["input"] = "1e3";
  auto series = BuildHwmonSeries("chip", data);
  std::map<std::string, double> by_name;
  for (const auto& s : series) {
    std::string key = s.name;
    for (const auto& [k, v] : s.labels) key += "," + k + "=" + v;
    by_name[key] = s.value;
  }
  std::map<std::string, double> want = {
      {"node_hwmon_temp_celsius,chip=chip,sensor=temp3", 9 * 0.001},
      {"node_hwmon_temp_input_celsius,chip=chip,sensor=temp3", 8 * 0.001},
      {"node_hwmon_temp_alarm,chip=chip,sensor=temp1", 2},
      {"node_hwmon_sensor_label,chip=chip,label= Core\t0  ,sensor=temp1", 1},
      {"node_hwmon_fan_beep_enabled,chip=chip,sensor=fan1", 5},
      {"node_hwmon_fan_div,chip=chip,sensor=fan1", 2},
      {"node_hwmon_beep_enabled,chip=chip,sensor=beep_enable0", 0},
      {"node_hwmon_power_average_interval_seconds,chip=chip,sensor=power1", 0.007},
      {"node_hwmon_in_volts,chip=chip,sensor=in1", 1},
  };
  EXPECT_EQ(by_name, want);
  for (const auto& s : series) {
    if (s.name == "node_hwmon_temp_celsius") EXPECT_EQ(s.help, "Hardware monitor for temperature (input)");
  }
}

TEST(HwmonCollector, ExportsFixtureChips) {
  auto families = CollectFromFixtures(MakeHwmonSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_celsius", {{"chip", kCoretemp}, {"sensor", "temp1"}}), 55);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_max_celsius", {{"chip", kCoretemp}, {"sensor", "temp1"}}), 84);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_crit_celsius", {{"chip", kCoretemp}, {"sensor", "temp1"}}), 100);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_crit_alarm_celsius", {{"chip", kCoretemp}, {"sensor", "temp1"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_crit_alarm_celsius", {{"chip", kCoretemp}, {"sensor", "temp2"}}), 0.001);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_celsius", {{"chip", kCoretemp}, {"sensor", "temp2"}}), 54);
  EXPECT_EQ(SampleValue(f, "node_hwmon_chip_names", {{"chip", kCoretemp}, {"chip_name", "coretemp"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_hwmon_chip_names", {{"chip", kK10}, {"chip_name", "k10temp"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_hwmon_chip_names", {{"chip", "acpitz"}, {"chip_name", "acpitz"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_hwmon_sensor_label", {{"chip", kCoretemp}, {"label", "Package id 0"}, {"sensor", "temp1"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_hwmon_sensor_label", {{"chip", kK10}, {"label", "Vcore"}, {"sensor", "in0"}}), 1);
  // The chip without a device link is named from its name file.
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_celsius", {{"chip", "acpitz"}, {"sensor", "temp1"}}), 27.8);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_crit_celsius", {{"chip", "acpitz"}, {"sensor", "temp1"}}), 105);
  // Other sensor kinds, in node_exporter's units.
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_celsius", {{"chip", kK10}, {"sensor", "temp1"}}), 41.25);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_type", {{"chip", kK10}, {"sensor", "temp1"}}), 3);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_alarm", {{"chip", kK10}, {"sensor", "temp1"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_fault", {{"chip", kK10}, {"sensor", "temp1"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_hwmon_temp_beep_enabled", {{"chip", kK10}, {"sensor", "temp1"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_hwmon_in_volts", {{"chip", kK10}, {"sensor", "in0"}}), 1168 * 0.001);
  EXPECT_EQ(SampleValue(f, "node_hwmon_in_min_volts", {{"chip", kK10}, {"sensor", "in0"}}), 800 * 0.001);
  EXPECT_EQ(SampleValue(f, "node_hwmon_cpu_vid_volts", {{"chip", kK10}, {"sensor", "cpu0"}}), 1.0150000000000001);
  EXPECT_EQ(SampleValue(f, "node_hwmon_fan_rpm", {{"chip", kK10}, {"sensor", "fan1"}}), 1234);
  EXPECT_EQ(SampleValue(f, "node_hwmon_fan_target_rpm", {{"chip", kK10}, {"sensor", "fan1"}}), 1500);
  EXPECT_EQ(SampleValue(f, "node_hwmon_fan_div", {{"chip", kK10}, {"sensor", "fan1"}}), 2);
  EXPECT_EQ(SampleValue(f, "node_hwmon_pwm", {{"chip", kK10}, {"sensor", "pwm1"}}), 128);
  EXPECT_EQ(SampleValue(f, "node_hwmon_pwm_enable", {{"chip", kK10}, {"sensor", "pwm1"}}), 2);
  EXPECT_EQ(SampleValue(f, "node_hwmon_power_average_watt", {{"chip", kK10}, {"sensor", "power1"}}), 15.5);
  EXPECT_EQ(SampleValue(f, "node_hwmon_power_cap_watt", {{"chip", kK10}, {"sensor", "power1"}}), 120);
  EXPECT_EQ(SampleValue(f, "node_hwmon_power_accuracy", {{"chip", kK10}, {"sensor", "power1"}}), 2 / 1000000.0);
  EXPECT_EQ(SampleValue(f, "node_hwmon_curr_amps", {{"chip", kK10}, {"sensor", "curr1"}}), 1.5);
  EXPECT_EQ(SampleValue(f, "node_hwmon_energy_joule_total", {{"chip", kK10}, {"sensor", "energy1"}}), 123.456789);
  EXPECT_EQ(FindFamily(f, "node_hwmon_energy_joule_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(SampleValue(f, "node_hwmon_humidity", {{"chip", kK10}, {"sensor", "humidity1"}}), 0.045);
  EXPECT_EQ(SampleValue(f, "node_hwmon_intrusion_alarm", {{"chip", kK10}, {"sensor", "intrusion0"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_hwmon_beep_enabled", {{"chip", kK10}, {"sensor", "beep_enable0"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_hwmon_voltage_regulator_version", {{"chip", kK10}, {"sensor", "vrm0"}}), 90);
  EXPECT_EQ(SampleValue(f, "node_hwmon_update_interval_seconds", {{"chip", kK10}, {"sensor", "update_interval0"}}), 1);
  // temp3_input holds garbage: skipped, as node_exporter skips it.
  EXPECT_EQ(FindSample(f, "node_hwmon_temp_celsius", {{"chip", kK10}, {"sensor", "temp3"}}), nullptr);
  EXPECT_EQ(FindFamily(f, "node_hwmon_temp_celsius")->metric.size(), 4u);
}

TEST(HwmonCollector, RepeatedAndConcurrentScrapesAgree) {
  // The collector keeps its sensor files open between scrapes; values must be re-read each time.
  testing::TempDir dir;
  dir.WriteFile("sys/class/hwmon/hwmon0/temp1_input", "1000\n");
  dir.MakeDir("sys/class/hwmon/hwmon0/power");  // a directory that matches the sensor name pattern
  static const Logger quiet(LogLevel::kError);
  HostPaths paths = HostPathsIn(dir);
  ExporterConfig config;
  CollectorEnv env{paths, config, quiet};
  auto collector = MakeHwmonSpec().create(env);
  ASSERT_TRUE(collector.ok());
  auto scrape = [&]() {
    Families out;
    EXPECT_TRUE((*collector)->Collect(out).ok());
    return SampleValue(out, "node_hwmon_temp_celsius", {{"chip", "hwmon0"}, {"sensor", "temp1"}});
  };
  EXPECT_EQ(scrape(), 1);
  // Rewrite in place (same inode, as sysfs updates a value) and scrape again.
  dir.WriteFile("sys/class/hwmon/hwmon0/temp1_input", "2000\n");
  EXPECT_EQ(scrape(), 2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) EXPECT_EQ(scrape(), 2);
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST(HwmonCollector, FallsBackToDirectoryNameAndReadsDeviceDir) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/hwmon/hwmon6/temp1_input", "33000\n");
  // Old drivers keep their attributes in the device directory.
  dir.WriteFile("sys/devices/platform/it87.656/temp2_input", "40000\n");
  dir.WriteFile("sys/devices/platform/it87.656/hwmon/hwmon7/name", "it8728\n");
  dir.Symlink("../../../it87.656", "sys/devices/platform/it87.656/hwmon/hwmon7/device");
  dir.Symlink("../../devices/platform/it87.656/hwmon/hwmon7", "sys/class/hwmon/hwmon7");
  dir.WriteFile("sys/class/hwmon/not_a_dir", "x");
  auto families = CollectFrom(MakeHwmonSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_hwmon_temp_celsius", {{"chip", "hwmon6"}, {"sensor", "temp1"}}), 33);
  EXPECT_EQ(SampleValue(*families, "node_hwmon_temp_celsius", {{"chip", "platform_it87_656"}, {"sensor", "temp2"}}), 40);
}

TEST(HwmonCollector, SkipsOversizedAttributes) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/hwmon/hwmon0/temp1_input", std::string(100000, '1'));
  dir.WriteFile("sys/class/hwmon/hwmon0/temp2_input", "");
  dir.WriteFile("sys/class/hwmon/hwmon0/temp3_input", "1000");
  auto families = CollectFrom(MakeHwmonSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindFamily(*families, "node_hwmon_temp_celsius")->metric.size(), 1u);
}

TEST(HwmonCollector, FailsOnDanglingLinkOrMissingClass) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/hwmon/hwmon0/temp1_input", "1000");
  dir.Symlink("/nonexistent/hwmon1", "sys/class/hwmon/hwmon1");
  auto families = CollectFrom(MakeHwmonSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("hwmon1"), std::string::npos);

  testing::TempDir empty;
  empty.MakeDir("sys/class");
  EXPECT_FALSE(CollectFrom(MakeHwmonSpec(), HostPathsIn(empty)).ok());
}

}  // namespace
}  // namespace buildfarm::exporter
