#include "exporter/collectors/cpufreq.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(CpufreqCollector, ExportsFixtureFrequenciesInHertz) {
  auto families = CollectFromFixtures(MakeCpufreqSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_cpu_frequency_hertz", {{"cpu", "0"}}), 1.8e9);
  EXPECT_EQ(SampleValue(f, "node_cpu_frequency_max_hertz", {{"cpu", "3"}}), 4.6e9);
  EXPECT_EQ(SampleValue(f, "node_cpu_frequency_min_hertz", {{"cpu", "7"}}), 8e8);
  EXPECT_EQ(SampleValue(f, "node_cpu_scaling_frequency_hertz", {{"cpu", "1"}}), 1.901234e9);
  EXPECT_EQ(SampleValue(f, "node_cpu_scaling_frequency_min_hertz", {{"cpu", "4"}}), 1.2e9);
  EXPECT_EQ(SampleValue(f, "node_cpu_scaling_frequency_max_hertz", {{"cpu", "6"}}), 4.6e9);
  // cpu7 has no cpuinfo_cur_freq (root-only on real hosts): left out, not 0.
  EXPECT_EQ(FindSample(f, "node_cpu_frequency_hertz", {{"cpu", "7"}}), nullptr);
  EXPECT_EQ(FindFamily(f, "node_cpu_frequency_hertz")->metric.size(), 7u);
  EXPECT_EQ(f.size(), 6u);  // 1.5 has no node_cpu_scaling_governor
}

void WriteRequiredStrings(const testing::TempDir& dir, const std::string& cpufreq) {
  for (const char* file :
       {"scaling_available_governors", "scaling_driver", "scaling_governor", "related_cpus", "scaling_setspeed"}) {
    dir.WriteFile(cpufreq + "/" + file, "x\n");
  }
}

TEST(CpufreqCollector, FollowsNodeExporterSelectionAndErrorRules) {
  struct Case {
    const char* name;
    const char* file;      // under cpu0/cpufreq; nullptr: none
    const char* contents;  // nullptr: remove the file instead
    bool ok;
  };
  const Case cases[] = {
      {"garbled frequency fails", "cpuinfo_max_freq", "fast\n", false},
      {"signed frequency fails", "cpuinfo_min_freq", "+7\n", false},
      {"hex frequency fails", "scaling_cur_freq", "0x10\n", false},
      {"empty frequency fails", "scaling_max_freq", "", false},
      {"missing required string fails", "scaling_setspeed", nullptr, false},
      {"padded frequency is fine", "cpuinfo_max_freq", "  42  \n", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir dir;
    const std::string cpufreq = "sys/devices/system/cpu/cpu0/cpufreq";
    WriteRequiredStrings(dir, cpufreq);
    dir.WriteFile(cpufreq + "/scaling_cur_freq", "100\n");
    if (c.contents != nullptr) {
      dir.WriteFile(cpufreq + "/" + c.file, c.contents);
    } else {
      std::remove(dir.Join(cpufreq + "/" + c.file).c_str());
    }
    auto families = CollectFrom(MakeCpufreqSpec(), HostPathsIn(dir));
    EXPECT_EQ(families.ok(), c.ok) << (families.ok() ? "" : families.status().ToString());
  }
}

TEST(CpufreqCollector, GlobsCpuDigitsAndSkipsCpusWithoutCpufreq) {
  testing::TempDir dir;
  for (const char* cpu : {"cpu0", "cpu3x"}) {
    std::string cpufreq = std::string("sys/devices/system/cpu/") + cpu + "/cpufreq";
    WriteRequiredStrings(dir, cpufreq);
    dir.WriteFile(cpufreq + "/scaling_cur_freq", "100\n");
  }
  dir.MakeDir("sys/devices/system/cpu/cpu1");  // offline or no scaling driver
  WriteRequiredStrings(dir, "sys/devices/system/cpu/cpufreq/policy0");
  dir.WriteFile("sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq", "5\n");
  auto families = CollectFrom(MakeCpufreqSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_cpu_scaling_frequency_hertz", {{"cpu", "0"}}), 100000);
  EXPECT_EQ(SampleValue(*families, "node_cpu_scaling_frequency_hertz", {{"cpu", "3x"}}), 100000);
  EXPECT_EQ(FindFamily(*families, "node_cpu_scaling_frequency_hertz")->metric.size(), 2u);
  EXPECT_EQ(families->size(), 1u);
}

TEST(CpufreqCollector, NoCpuDirectoryServesNothing) {
  testing::TempDir dir;
  dir.MakeDir("sys");
  auto families = CollectFrom(MakeCpufreqSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok());
  EXPECT_TRUE(families->empty());
}

}  // namespace
}  // namespace buildfarm::exporter
