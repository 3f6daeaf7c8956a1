#include "exporter/collectors/sockstat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseSockstat, ReadsUsedAndTheExportedStatesInNodeExporterOrder) {
  auto stat = ParseSockstat("sockets: used 229\nTCP: mem 5 inuse 12 orphan 1 tw 7 alloc 18 extra 9\nFRAG6: inuse 0 memory 4\n");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  ASSERT_TRUE(stat->sockets_used.has_value());
  EXPECT_EQ(*stat->sockets_used, 229);
  ASSERT_EQ(stat->protocols.size(), 2u);
  const auto& tcp = stat->protocols[0];
  EXPECT_EQ(tcp.protocol, "TCP");
  ASSERT_EQ(tcp.states.size(), 5u);  // "extra" is not a state node_exporter exports
  EXPECT_EQ(tcp.states[0].first, "inuse");
  EXPECT_EQ(tcp.states[4].first, "mem");
  EXPECT_EQ(tcp.states[4].second, 5);
  EXPECT_EQ(stat->protocols[1].states[1].first, "memory");
}

TEST(ParseSockstat, RejectsBadInput) {
  ExpectParseErrors([](const std::string& text) { return ParseSockstat(text); }, {
      {"truncated mid-pair", "TCP: inuse 12 orphan"},
      {"garbled value", "TCP: inuse twelve\n"},
      {"no colon", "TCP inuse 1\n"},
      {"sockets line without used", "sockets: free 3\n"},
      {"protocol a metric cannot carry", "TC-P: inuse 1\n"},
      {"protocol twice", "TCP: inuse 1\nTCP: inuse 2\n"},
      {"huge single word", std::string(4 << 20, 'x')},
  });
}

TEST(SockstatCollector, ExportsBothFixtureFiles) {
  auto families = CollectFromFixtures(MakeSockstatSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 20u);  // what node_exporter 1.5 serves for this fixture
  EXPECT_EQ(SampleValue(*families, "node_sockstat_sockets_used", {}), 229);
  EXPECT_EQ(SampleValue(*families, "node_sockstat_TCP_inuse", {}), 12);
  EXPECT_EQ(SampleValue(*families, "node_sockstat_TCP_tw", {}), 7);
  EXPECT_EQ(SampleValue(*families, "node_sockstat_TCP_mem_bytes", {}), 5.0 * sysconf(_SC_PAGESIZE));
  EXPECT_EQ(SampleValue(*families, "node_sockstat_UDP_mem_bytes", {}), 3.0 * sysconf(_SC_PAGESIZE));
  EXPECT_EQ(SampleValue(*families, "node_sockstat_FRAG_memory", {}), 0);
  EXPECT_EQ(SampleValue(*families, "node_sockstat_TCP6_inuse", {}), 6);
  EXPECT_EQ(SampleValue(*families, "node_sockstat_RAW6_inuse", {}), 1);
  const auto* family = FindFamily(*families, "node_sockstat_TCP_orphan");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(family->help, "Number of TCP sockets in state orphan.");
}

TEST(SockstatCollector, EitherFileMayBeAbsentButNotBoth) {
  testing::TempDir v6_only;
  v6_only.WriteFile("proc/net/sockstat6", "TCP6: inuse 3\n");
  auto families = CollectFrom(MakeSockstatSpec(), HostPathsIn(v6_only));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_sockstat_TCP6_inuse", {}), 3);

  ExpectNotFoundOnEmptyHost(MakeSockstatSpec());
}

TEST(SockstatCollector, AProtocolNamedInBothFilesIsServedOnce) {
  testing::TempDir dir;
  dir.WriteFile("proc/net/sockstat", "TCP: inuse 1\n");
  dir.WriteFile("proc/net/sockstat6", "TCP: inuse 2\n");
  auto families = CollectFrom(MakeSockstatSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_sockstat_TCP_inuse", {}), 1);
}

}  // namespace
}  // namespace buildfarm::exporter
