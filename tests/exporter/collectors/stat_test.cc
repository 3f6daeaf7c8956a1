#include "exporter/collectors/stat.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

CollectorSpec StatSpecWithFlags(std::vector<const char*> args) {
  CollectorSpec spec = MakeStatSpec();
  FlagSet flags("test", "");
  spec.add_flags(flags);
  args.insert(args.begin(), "test");
  EXPECT_TRUE(flags.Parse(static_cast<int>(args.size()), args.data()).ok());
  return spec;
}

TEST(StatCollector, ExportsFixtureValues) {
  auto families = CollectFromFixtures(MakeStatSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 6u);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_boot_time_seconds", {}), 1700000000);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_context_switches_total", {}), 389726113);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_forks_total", {}), 1264091);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_intr_total", {}), 181442791);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_procs_running", {}), 3);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_procs_blocked", {}), 1);
  EXPECT_EQ(FindFamily(*families, "node_boot_time_seconds")->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(FindFamily(*families, "node_intr_total")->type, prometheus::MetricType::Counter);
  // softirq is off by default, as in node_exporter.
  EXPECT_EQ(FindFamily(*families, "node_softirqs_total"), nullptr);
}

TEST(StatCollector, SoftirqFlagAddsPerVectorCounts) {
  auto families = CollectFrom(StatSpecWithFlags({"--collector.stat.softirq"}), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto* softirqs = FindFamily(*families, "node_softirqs_total");
  ASSERT_NE(softirqs, nullptr);
  EXPECT_EQ(softirqs->metric.size(), 10u);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_softirqs_total", {{"vector", "hi"}}), 12);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_softirqs_total", {{"vector", "timer"}}), 30125432);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_softirqs_total", {{"vector", "block_iopoll"}}), 0);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_softirqs_total", {{"vector", "rcu"}}), 28955582);
}

TEST(StatCollector, FailsOnBrokenTruncatedOrMissingFile) {
  const char* cases[] = {
      "",
      "cpu 1 2 3 4\nintr 1\nctxt 2\nbtime",  // truncated
      "cpu 1 2 3 4\nintr 1\nctxt 2\nbtime x\nprocesses 4\nprocs_running 1\nprocs_blocked 0\n",
  };
  for (const char* contents : cases) {
    testing::TempDir dir;
    dir.WriteFile("proc/stat", contents);
    auto families = CollectFrom(MakeStatSpec(), HostPathsIn(dir));
    ASSERT_FALSE(families.ok()) << contents;
    EXPECT_NE(families.status().message().find("stat"), std::string::npos) << families.status().message();
  }
  testing::TempDir empty;
  EXPECT_FALSE(CollectFrom(MakeStatSpec(), HostPathsIn(empty)).ok());
}

}  // namespace
}  // namespace buildfarm::exporter
