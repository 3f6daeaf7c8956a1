#include "exporter/collectors/conntrack.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr char kHeader[] =
    "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop "
    "icmp_error  expect_new expect_create expect_delete search_restart\n";

TEST(ParseConntrackStat, SumsEveryCpuLineByColumnName) {
  std::string text = std::string(kHeader) +
                     "00000728  00000000 0000000c 00000000 0000002a 00001f40 00000000 00000000 00000004 00000001 "
                     "00000002 00000000 00000000  00000000 00000000 00000000 00000005\n"
                     "00000728  00000001 00000003 00000000 00000011 00000b2e 00000000 00000000 00000001 00000000 "
                     "00000001 00000001 00000000  00000000 00000000 00000000 00000002\n";
  auto stats = ParseConntrackStat(text);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->found, 15u);
  EXPECT_EQ(stats->invalid, 0x2au + 0x11u);
  EXPECT_EQ(stats->ignore, 10862u);
  EXPECT_EQ(stats->insert, 5u);
  EXPECT_EQ(stats->insert_failed, 1u);
  EXPECT_EQ(stats->drop, 3u);
  EXPECT_EQ(stats->early_drop, 1u);
  EXPECT_EQ(stats->search_restart, 7u);
}

TEST(ParseConntrackStat, FindsColumnsWhereverTheKernelPutsThem) {
  auto stats = ParseConntrackStat(
      "search_restart found invalid ignore insert insert_failed drop early_drop future\n"
      "1 2 3 4 5 6 7 8 ff\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->search_restart, 1u);
  EXPECT_EQ(stats->early_drop, 8u);
}

TEST(ParseConntrackStat, RejectsBadInput) {
  ExpectParseErrors([](const std::string& text) { return ParseConntrackStat(text); }, {
      {"empty", ""},
      {"header lacks a column", "found invalid ignore insert insert_failed drop early_drop\n1 2 3 4 5 6 7\n"},
      {"truncated cpu line", std::string(kHeader) + "00000728 00000000 0000000c\n"},
      {"not hex", std::string(kHeader) + "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 zz\n"},
      {"huge single word", std::string(4 << 20, 'x')},
  });
}

TEST(ParseConntrackNumber, ReadsOneDecimalNumber) {
  ASSERT_TRUE(ParseConntrackNumber("262144\n").ok());
  EXPECT_EQ(*ParseConntrackNumber("262144\n"), 262144u);
  for (const char* bad : {"", "\n", "-1\n", "12 13\n", "0x10\n"}) EXPECT_FALSE(ParseConntrackNumber(bad).ok()) << bad;
}

TEST(ConntrackCollector, ExportsTheFixture) {
  auto families = CollectFromFixtures(MakeConntrackSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 10u);
  EXPECT_EQ(SampleValue(*families, "node_nf_conntrack_entries", {}), 1834);
  EXPECT_EQ(SampleValue(*families, "node_nf_conntrack_entries_limit", {}), 262144);
  EXPECT_EQ(SampleValue(*families, "node_nf_conntrack_stat_found", {}), 15);
  EXPECT_EQ(SampleValue(*families, "node_nf_conntrack_stat_ignore", {}), 10862);
  EXPECT_EQ(SampleValue(*families, "node_nf_conntrack_stat_search_restart", {}), 7);
  const auto* family = FindFamily(*families, "node_nf_conntrack_stat_drop");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(family->help, "Number of packets dropped due to conntrack failure.");
}

TEST(ConntrackCollector, NoModuleIsNotFoundAndAGarbledCountFails) {
  ExpectNotFoundOnEmptyHost(MakeConntrackSpec());

  testing::TempDir dir;
  dir.WriteFile("proc/sys/net/netfilter/nf_conntrack_count", "many\n");
  dir.WriteFile("proc/sys/net/netfilter/nf_conntrack_max", "10\n");
  auto garbled = CollectFrom(MakeConntrackSpec(), HostPathsIn(dir));
  ASSERT_FALSE(garbled.ok());
  EXPECT_NE(garbled.status().message().find("nf_conntrack_count"), std::string::npos) << garbled.status().message();
}

}  // namespace
}  // namespace buildfarm::exporter
