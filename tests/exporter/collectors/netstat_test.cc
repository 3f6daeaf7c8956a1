#include "exporter/collectors/netstat.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseNetstatPairs, ReadsEachProtocolsNamesAndValues) {
  auto counters = ParseNetstatPairs(
      "TcpExt: SyncookiesSent ListenDrops\nTcpExt: 3 17\n"
      "Tcp: RtoAlgorithm MaxConn CurrEstab\nTcp: 1 -1 42\n");
  ASSERT_TRUE(counters.ok()) << counters.status().ToString();
  ASSERT_EQ(counters->size(), 5u);
  EXPECT_EQ((*counters)[1].protocol, "TcpExt");
  EXPECT_EQ((*counters)[1].field, "ListenDrops");
  EXPECT_EQ((*counters)[1].value, 17);
  EXPECT_EQ((*counters)[3].field, "MaxConn");
  EXPECT_EQ((*counters)[3].value, -1);
}

TEST(ParseNetstatPairs, RejectsBadInput) {
  ExpectParseErrors([](const std::string& text) { return ParseNetstatPairs(text); }, {
      {"header without values (truncated)", "Tcp: InSegs OutSegs\n"},
      {"fewer values than names", "Tcp: InSegs OutSegs\nTcp: 1\n"},
      {"values of another protocol", "Tcp: InSegs\nUdp: 1\n"},
      {"no colon after the protocol", "Tcp InSegs\nTcp 1\n"},
      {"garbled value", "Tcp: InSegs\nTcp: 1x\n"},
      {"field name a metric cannot carry", "Tcp: In-Segs\nTcp: 1\n"},
      {"huge single line", std::string(4 << 20, 'x')},
  });
}

TEST(ParseSnmp6, SplitsTheProtocolAtTheFirstSix) {
  auto counters = ParseSnmp6("Ip6InOctets   \t5665\nUdpLite6InErrors 2\nIcmp6InType133 7\nnosix 1\nshort\n");
  ASSERT_TRUE(counters.ok()) << counters.status().ToString();
  ASSERT_EQ(counters->size(), 3u);
  EXPECT_EQ((*counters)[0].protocol, "Ip6");
  EXPECT_EQ((*counters)[0].field, "InOctets");
  EXPECT_EQ((*counters)[1].protocol, "UdpLite6");
  EXPECT_EQ((*counters)[2].field, "InType133");
  EXPECT_EQ((*counters)[2].value, 7);
}

TEST(ParseSnmp6, RejectsBadInput) {
  for (const char* bad : {"Ip6InOctets x\n", "Ip6 1\n", "Ip6In-Octets 1\n"}) {
    EXPECT_FALSE(ParseSnmp6(bad).ok()) << bad;
  }
}

TEST(NetstatCollector, ExportsTheDefaultFieldsOfTheFixture) {
  auto families = CollectFromFixtures(MakeNetstatSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 40u);  // what node_exporter 1.5 serves for this fixture
  EXPECT_EQ(SampleValue(*families, "node_netstat_Tcp_CurrEstab", {}), 370158);
  EXPECT_EQ(SampleValue(*families, "node_netstat_Ip_Forwarding", {}), 2);
  EXPECT_EQ(SampleValue(*families, "node_netstat_IpExt_InOctets", {}), 244928);
  EXPECT_EQ(SampleValue(*families, "node_netstat_TcpExt_ListenDrops", {}), 193749);
  EXPECT_EQ(SampleValue(*families, "node_netstat_Ip6_InOctets", {}), 5665);
  EXPECT_EQ(SampleValue(*families, "node_netstat_Udp6_InDatagrams", {}), 24654);
  EXPECT_EQ(FindFamily(*families, "node_netstat_Tcp_MaxConn"), nullptr);
  const auto* family = FindFamily(*families, "node_netstat_TcpExt_ListenDrops");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Untyped);
  EXPECT_EQ(family->help, "Statistic TcpExtListenDrops.");
}

TEST(NetstatCollector, FieldsFlagChoosesTheKeys) {
  auto families = CollectFrom(SpecWithFlags(MakeNetstatSpec(), {"--collector.netstat.fields=^Tcp_(MaxConn|RtoMin)$"}),
                              FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 2u);
  EXPECT_EQ(SampleValue(*families, "node_netstat_Tcp_MaxConn", {}), -1);
}

TEST(NetstatCollector, Snmp6IsOptionalButTheOthersAreNot) {
  testing::TempDir dir;
  dir.WriteFile("proc/net/netstat", "TcpExt: ListenDrops\nTcpExt: 4\n");
  dir.WriteFile("proc/net/snmp", "Tcp: InSegs\nTcp: 9\n");
  auto families = CollectFrom(MakeNetstatSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 2u);
  EXPECT_EQ(SampleValue(*families, "node_netstat_Tcp_InSegs", {}), 9);

  testing::TempDir no_snmp;
  no_snmp.WriteFile("proc/net/netstat", "TcpExt: ListenDrops\nTcpExt: 4\n");
  auto missing = CollectFrom(MakeNetstatSpec(), HostPathsIn(no_snmp));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(NetstatCollector, AGarbledValueFailsEvenWhenItsFieldIsNotExported) {
  testing::TempDir dir;
  dir.WriteFile("proc/net/netstat", "TcpExt: Unexported\nTcpExt: many\n");
  dir.WriteFile("proc/net/snmp", "Tcp: InSegs\nTcp: 9\n");
  auto families = CollectFrom(MakeNetstatSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("net/netstat"), std::string::npos) << families.status().message();
}

}  // namespace
}  // namespace buildfarm::exporter
