#include "exporter/collectors/meminfo.h"

#include <gtest/gtest.h>

#include <string>

#include "common/file_reader.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseMeminfo, ReadsTheFixtureInOrderWithNodeExporterNames) {
  auto text = ReadFileCapped(testing::SourcePath("tests/fixtures/proc/meminfo"));
  ASSERT_TRUE(text.ok());
  auto entries = ParseMeminfo(*text);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 57u);
  EXPECT_EQ((*entries)[0].field, "MemTotal");
  EXPECT_TRUE((*entries)[0].in_bytes);
  EXPECT_EQ((*entries)[0].value, 32768000.0 * 1024);
  EXPECT_EQ(*FindMeminfo(*entries, "MemAvailable"), 20456789.0 * 1024);
  EXPECT_EQ(*FindMeminfo(*entries, "Active_anon"), 4567890.0 * 1024);
  EXPECT_EQ(*FindMeminfo(*entries, "Inactive_file"), 10000000.0 * 1024);
  EXPECT_EQ(*FindMeminfo(*entries, "HugePages_Total"), 64);
  EXPECT_EQ(*FindMeminfo(*entries, "DirectMap1G"), 17825792.0 * 1024);
  EXPECT_FALSE(FindMeminfo(*entries, "Active(anon)").has_value());
  EXPECT_EQ(entries->back().field, "DirectMap1G");
}

TEST(ParseMeminfo, NamesAndUnitsTable) {
  struct Case {
    const char* line;
    const char* metric;
    double value;
  };
  const Case cases[] = {
      {"MemTotal:  100 kB", "node_memory_MemTotal_bytes", 102400},
      {"Active(anon): 2 kB", "node_memory_Active_anon_bytes", 2048},
      {"Inactive(file):\t3 kB", "node_memory_Inactive_file_bytes", 3072},
      {"HugePages_Free:  7", "node_memory_HugePages_Free", 7},
      {"Hugepagesize:  2048 kB", "node_memory_Hugepagesize_bytes", 2097152},
      {"VmallocTotal:   34359738367 kB", "node_memory_VmallocTotal_bytes", 35184372087808.0},
  };
  for (const auto& c : cases) {
    auto entries = ParseMeminfo(c.line);
    ASSERT_TRUE(entries.ok()) << c.line << ": " << entries.status().ToString();
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ(MeminfoMetricName(entries->front()), c.metric);
    EXPECT_EQ(entries->front().value, c.value) << c.line;
  }
}

TEST(ParseMeminfo, SkipsBlankLinesAndKeepsTheLastOfARepeatedField) {
  auto entries = ParseMeminfo("MemTotal: 1 kB\n\n   \nMemFree: 2 kB\nMemTotal: 3 kB\n");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(*FindMeminfo(*entries, "MemTotal"), 3072);
}

TEST(ParseMeminfo, RejectsBadInput) {
  const std::pair<const char*, std::string> cases[] = {
      {"empty", ""},
      {"only blank lines", "\n\n"},
      {"truncated mid-line", "MemTotal: 100 kB\nMemFree:"},
      {"garbled value", "MemTotal: 1O0 kB\n"},
      {"too many fields", "MemTotal: 100 kB extra\n"},
      {"not finite", "MemTotal: nan kB\n"},
      {"key without name", ": 100 kB\n"},
      // node_exporter's greedy regexp makes "Weird_a)(b", which no metric name may carry.
      {"nested parentheses", "Weird(a)(b): 1 kB\n"},
      {"binary garbage", std::string("Mem\x01Total: 1 kB\n")},
      {"huge single line", std::string(4 << 20, 'x')},
  };
  for (const auto& [name, text] : cases) {
    auto entries = ParseMeminfo(text);
    EXPECT_FALSE(entries.ok()) << name;
    if (!entries.ok()) EXPECT_EQ(entries.status().code(), StatusCode::kParseError) << name;
  }
  auto error = ParseMeminfo("MemTotal: 1 kB\nMemFree: x kB\n");
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.status().message().find("line 2"), std::string::npos);
}

TEST(ParseMeminfo, HandlesManyLines) {
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "Field" + std::to_string(i) + ": " + std::to_string(i) + " kB\n";
  auto entries = ParseMeminfo(big);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 2000u);
}

TEST(MeminfoCollector, ExportsFixtureValues) {
  auto families = CollectFromFixtures(MakeMeminfoSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 57u);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_memory_MemTotal_bytes", {}), 33554432000.0);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_memory_MemAvailable_bytes", {}), 20947751936.0);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_memory_Active_anon_bytes", {}), 4677519360.0);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_memory_HugePages_Total", {}), 64);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_memory_HugePages_Rsvd", {}), 2);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_memory_Hugetlb_bytes", {}), 134217728.0);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_memory_DirectMap2M_bytes", {}), 16655581184.0);
  const auto* family = FindFamily(*families, "node_memory_MemFree_bytes");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(family->help, "Memory information field MemFree_bytes.");
  EXPECT_EQ(FindFamily(*families, "node_memory_HugePages_Total_bytes"), nullptr);
}

TEST(MeminfoCollector, FailsOnBrokenOrMissingFile) {
  testing::TempDir dir;
  dir.WriteFile("proc/meminfo", "MemTotal: lots\n");
  auto families = CollectFrom(MakeMeminfoSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("meminfo"), std::string::npos) << families.status().message();
  testing::TempDir empty;
  EXPECT_FALSE(CollectFrom(MakeMeminfoSpec(), HostPathsIn(empty)).ok());
}

}  // namespace
}  // namespace buildfarm::exporter
