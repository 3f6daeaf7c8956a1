#include "exporter/collectors/cpu.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/file_reader.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

// Builds the cpu spec with command-line flags applied, as the daemon does.
CollectorSpec CpuSpecWithFlags(std::vector<const char*> args) {
  CollectorSpec spec = MakeCpuSpec();
  FlagSet flags("test", "");
  spec.add_flags(flags);
  args.insert(args.begin(), "test");
  EXPECT_TRUE(flags.Parse(static_cast<int>(args.size()), args.data()).ok());
  return spec;
}

TEST(ParseCpuList, ReadsSysfsRanges) {
  struct Case {
    const char* text;
    std::vector<std::uint64_t> want;
  };
  const Case cases[] = {
      {"", {}}, {"\n", {}}, {"3\n", {3}}, {"0-3\n", {0, 1, 2, 3}}, {"1,4-5,9\n", {1, 4, 5, 9}}, {"2,,3", {2, 3}},
  };
  for (const auto& c : cases) {
    auto cpus = ParseCpuList(c.text);
    ASSERT_TRUE(cpus.ok()) << c.text;
    EXPECT_EQ(*cpus, c.want) << c.text;
  }
  for (const char* bad : {"x", "1-", "-1", "3-1", "1-2-3", "0-99999999", "1 2"}) {
    EXPECT_FALSE(ParseCpuList(bad).ok()) << bad;
  }
}

TEST(MonotonicCpuTicks, NeverGoesBackUnlessIdleJumpsBackThreeSeconds) {
  CpuTicks kept{.user = 1000, .nice = 0, .system = 0, .idle = 50000, .iowait = 700};
  CpuTicks dip = kept;
  dip.iowait = 650;  // the kernel's iowait can go back a little
  dip.user = 1100;
  MonotonicCpuTicks(kept, dip);
  EXPECT_EQ(kept.iowait, 700u);
  EXPECT_EQ(kept.user, 1100u);

  CpuTicks small_idle_dip = kept;
  small_idle_dip.idle = 50000 - 299;
  MonotonicCpuTicks(kept, small_idle_dip);
  EXPECT_EQ(kept.idle, 50000u);

  CpuTicks hotplugged{.user = 5, .nice = 0, .system = 0, .idle = 50000 - 300};
  MonotonicCpuTicks(kept, hotplugged);
  EXPECT_EQ(kept.idle, 49700u);
  EXPECT_EQ(kept.user, 5u);
  EXPECT_EQ(kept.iowait, 0u);
}

TEST(CpuCollector, ExportsFixtureValues) {
  auto families = CollectFromFixtures(MakeCpuSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto* seconds = FindFamily(*families, "node_cpu_seconds_total");
  ASSERT_NE(seconds, nullptr);
  EXPECT_EQ(seconds->type, prometheus::MetricType::Counter);
  EXPECT_EQ(seconds->metric.size(), 4u * 8u);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 5601.87);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}), 185035.62);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "softirq"}}), 60.12);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "2"}, {"mode", "steal"}}), 3.01);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "3"}, {"mode", "iowait"}}), 143.59);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "3"}, {"mode", "irq"}}), 0);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_guest_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 82.11);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_guest_seconds_total", {{"cpu", "2"}, {"mode", "nice"}}), 1.1);
  // The aggregate line is not exported.
  EXPECT_EQ(FindSample(*families, "node_cpu_seconds_total", {{"cpu", "cpu"}, {"mode", "user"}}), nullptr);

  // The fixture's cpu0-3 are cores 0-3 (cpu4-7, their SMT siblings, have no throttle files).
  EXPECT_EQ(FindFamily(*families, "node_cpu_core_throttles_total")->metric.size(), 4u);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_core_throttles_total", {{"core", "0"}, {"package", "0"}}), 17);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_core_throttles_total", {{"core", "1"}, {"package", "0"}}), 5);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_core_throttles_total", {{"core", "3"}, {"package", "0"}}), 5);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_package_throttles_total", {{"package", "0"}}), 42);
  // The fixture's isolated list is empty.
  EXPECT_EQ(FindFamily(*families, "node_cpu_isolated"), nullptr);
}

TEST(CpuCollector, GuestFlagTurnsGuestSecondsOff) {
  auto families = CollectFrom(CpuSpecWithFlags({"--no-collector.cpu.guest"}), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindFamily(*families, "node_cpu_guest_seconds_total"), nullptr);
  EXPECT_NE(FindFamily(*families, "node_cpu_seconds_total"), nullptr);
}

TEST(CpuCollector, ReportsIsolatedCpusAndFallsBackToTheNextCpuForThrottles) {
  testing::TempDir dir;
  dir.WriteFile("proc/stat", "cpu 1 2 3 4\ncpu0 100 0 0 400\ncpu2 200 0 0 800\n"
                             "intr 1\nctxt 2\nbtime 3\nprocesses 4\nprocs_running 1\nprocs_blocked 0\n");
  dir.WriteFile("sys/devices/system/cpu/isolated", "1-2\n");
  for (const char* cpu : {"cpu0", "cpu2"}) {
    dir.WriteFile(std::string("sys/devices/system/cpu/") + cpu + "/topology/physical_package_id", "1\n");
    dir.WriteFile(std::string("sys/devices/system/cpu/") + cpu + "/topology/core_id", "0\n");
  }
  // cpu0 has no throttle counts; node_exporter then reads cpu2's.
  dir.WriteFile("sys/devices/system/cpu/cpu2/thermal_throttle/core_throttle_count", "7\n");
  dir.WriteFile("sys/devices/system/cpu/cpu2/thermal_throttle/package_throttle_count", "9\n");
  auto families = CollectFrom(MakeCpuSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_isolated", {{"cpu", "1"}}), 1);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_isolated", {{"cpu", "2"}}), 1);
  // The offline cpu1 is exported with zeros, as node_exporter 1.5 does.
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "idle"}}), 0);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_seconds_total", {{"cpu", "2"}, {"mode", "idle"}}), 8);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_core_throttles_total", {{"core", "0"}, {"package", "1"}}), 7);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_cpu_package_throttles_total", {{"package", "1"}}), 9);
}

TEST(CpuCollector, ExportedSecondsDoNotGoBackwardsAcrossScrapes) {
  testing::TempDir dir;
  const std::string tail = "intr 1\nctxt 2\nbtime 3\nprocesses 4\nprocs_running 1\nprocs_blocked 0\n";
  dir.WriteFile("proc/stat", "cpu 1 2 3 4\ncpu0 100 0 0 40000 50\n" + tail);
  static const Logger quiet(LogLevel::kError);
  ExporterConfig config;
  HostPaths paths = HostPathsIn(dir);
  CollectorEnv env{paths, config, quiet};
  auto collector = MakeCpuSpec().create(env);
  ASSERT_TRUE(collector.ok());
  Families first;
  ASSERT_TRUE((*collector)->Collect(first).ok());
  dir.WriteFile("proc/stat", "cpu 1 2 3 4\ncpu0 110 0 0 40010 45\n" + tail);
  Families second;
  ASSERT_TRUE((*collector)->Collect(second).ok());
  EXPECT_DOUBLE_EQ(SampleValue(second, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "iowait"}}), 0.5);
  EXPECT_DOUBLE_EQ(SampleValue(second, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 1.1);
}

TEST(CpuCollector, ConcurrentScrapesAgree) {
  static const Logger quiet(LogLevel::kError);
  ExporterConfig config;
  HostPaths paths = FixturePaths();
  CollectorEnv env{paths, config, quiet};
  auto collector = MakeCpuSpec().create(env);
  ASSERT_TRUE(collector.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Families out;
        if (!(*collector)->Collect(out).ok() || FindFamily(out, "node_cpu_seconds_total")->metric.size() != 32) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(CpuCollector, FailsOnBrokenOrMissingStat) {
  for (const char* contents : {"", "garbage\n", "cpu 1 2 3 4\ncpu0 1 x\n", "cpu 1 2 3"}) {
    testing::TempDir dir;
    dir.WriteFile("proc/stat", contents);
    auto families = CollectFrom(MakeCpuSpec(), HostPathsIn(dir));
    ASSERT_FALSE(families.ok()) << contents;
    EXPECT_NE(families.status().message().find("stat"), std::string::npos) << families.status().message();
  }
  testing::TempDir empty;
  EXPECT_FALSE(CollectFrom(MakeCpuSpec(), HostPathsIn(empty)).ok());
}

}  // namespace
}  // namespace buildfarm::exporter
