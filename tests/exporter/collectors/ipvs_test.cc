#include "exporter/collectors/ipvs.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr std::string_view kStatsHeader =
    "   Total Incoming Outgoing         Incoming         Outgoing\n"
    "   Conns  Packets  Packets            Bytes            Bytes\n";

TEST(ParseIpvsStats, ReadsTheHexTotals) {
  auto stats = ParseIpvsStats(std::string(kStatsHeader) + "  1A 10 0 FFFFFFFFFFFFFFFF 2\n\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->connections, 26u);
  EXPECT_EQ(stats->incoming_packets, 16u);
  EXPECT_EQ(stats->incoming_bytes, 18446744073709551615u);
  EXPECT_EQ(stats->outgoing_bytes, 2u);
}

TEST(ParseIpvsStats, RejectsWhatNodeExporterRejects) {
  const std::string header(kStatsHeader);
  ExpectParseErrors(&ParseIpvsStats, {
                                         {"empty", ""},
                                         {"truncated before the totals", header},
                                         {"totals without newline", header + "1 2 3 4 5"},
                                         {"four counters", header + "1 2 3 4\n"},
                                         {"garbled", header + "1 2 x3 4 5\n"},
                                         {"prefixed", header + "0x1 2 3 4 5\n"},
                                         {"overflow", header + "1 2 3 10000000000000000 5\n"},
                                         {"huge", header + std::string(1 << 20, 'F') + " 1 2 3 4\n"},
                                     });
}

TEST(ParseIpvsBackends, ReadsServicesAndTheirRealServers) {
  auto backends = ParseIpvsBackends(
      "IP Virtual Server version 1.2.1 (size=4096)\n"
      "Prot LocalAddress:Port Scheduler Flags\n"
      "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
      "TCP  C0A80016:0CEA wlc\n"
      "  -> C0A85216:0CEA      Tunnel  100    248        2\n"
      "UDP  [2001:0db8:0000:0000:0000:ffff:0000:0001]:0035 rr\n"
      "  -> [0000:0000:0000:0000:0000:ffff:0a00:0001]:0035 Route 1 0 7\n"
      "FWM  10001000 wlc\n"
      "  -> C0A8321A:0CEA      Route   0      0          1\n"
      "  -> short line\n");
  ASSERT_TRUE(backends.ok()) << backends.status().ToString();
  ASSERT_EQ(backends->size(), 3u);
  const auto& tcp = (*backends)[0];
  EXPECT_EQ(tcp.proto, "TCP");
  EXPECT_EQ(tcp.local_address, "192.168.0.22");
  EXPECT_EQ(tcp.local_port, 3306);
  EXPECT_EQ(tcp.remote_address, "192.168.82.22");
  EXPECT_EQ(tcp.weight, 100u);
  EXPECT_EQ(tcp.active_connections, 248u);
  EXPECT_EQ(tcp.inactive_connections, 2u);
  EXPECT_EQ((*backends)[1].local_address, "2001:db8::ffff:0:1");
  EXPECT_EQ((*backends)[1].remote_address, "10.0.0.1");  // an IPv4-mapped address prints dotted, as in Go
  const auto& fwm = (*backends)[2];
  EXPECT_EQ(fwm.proto, "FWM");
  EXPECT_EQ(fwm.local_mark, "10001000");
  EXPECT_EQ(fwm.local_address, "");
  EXPECT_EQ(fwm.local_port, 0);
}

TEST(ParseIpvsBackends, RejectsWhatNodeExporterRejects) {
  ExpectParseErrors(&ParseIpvsBackends,
                    {
                        {"short address", "TCP  C0A80016:CEA wlc\n"},
                        {"garbled address", "TCP  C0A8001G:0CEA wlc\n"},
                        {"garbled port", "TCP  C0A80016:0CEZ wlc\n"},
                        {"bad IPv6", "TCP  [2001:0db8:0000:0000:0000:0000:0000:00zz]:0050 sh\n"},
                        {"garbled weight", "TCP  C0A80016:0CEA wlc\n  -> C0A85216:0CEA Tunnel 1x0 248 2\n"},
                        {"negative connections", "TCP  C0A80016:0CEA wlc\n  -> C0A85216:0CEA Tunnel 1 -2 2\n"},
                        {"huge address", "TCP  " + std::string(1 << 20, 'A') + ":0CEA wlc\n"},
                    });
}

TEST(ParseIpvsBackends, EmptyAndTruncatedTablesHaveNoBackends) {
  for (std::string_view text : {"", "IP Virtual Server version 1.2.1 (size=4096)\n", "TCP\n", "  ->\nFWM\n"}) {
    auto backends = ParseIpvsBackends(text);
    ASSERT_TRUE(backends.ok()) << text;
    EXPECT_TRUE(backends->empty()) << text;
  }
}

TEST(ParseIpvsBackendLabels, KeepsNodeExporterOrderAndNamesUnknownLabels) {
  auto labels = ParseIpvsBackendLabels("proto,,local_port,local_address");
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(*labels, (std::vector<std::string>{"local_address", "local_port", "proto"}));
  auto none = ParseIpvsBackendLabels("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto bad = ParseIpvsBackendLabels("proto,zone,cluster");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("\"cluster, zone\""), std::string::npos) << bad.status().message();
}

TEST(IpvsCollector, ExportsTheFixtureTotalsAndBackends) {
  auto families = CollectFromFixtures(MakeIpvsSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_ipvs_connections_total", {}), 0x1A3F07C);
  EXPECT_EQ(SampleValue(f, "node_ipvs_incoming_bytes_total", {}), 0x2B81C0F4E7D);
  LabelMap v6 = {{"local_address", "2001:db8::10"}, {"local_port", "80"},   {"remote_address", "2001:db8::a01"},
                 {"remote_port", "8080"},          {"proto", "TCP"},        {"local_mark", ""}};
  EXPECT_EQ(SampleValue(f, "node_ipvs_backend_connections_active", v6), 7);
  LabelMap fwm = {{"local_address", ""}, {"local_port", "0"}, {"remote_address", "10.0.5.34"},
                  {"remote_port", "3306"}, {"proto", "FWM"}, {"local_mark", "00000064"}};
  EXPECT_EQ(SampleValue(f, "node_ipvs_backend_connections_inactive", fwm), 1);
  EXPECT_EQ(SampleValue(f, "node_ipvs_backend_weight", fwm), 10);
}

TEST(IpvsCollector, FewerLabelsSumTheBackendsTheyNoLongerTellApart) {
  auto families = CollectFrom(SpecWithFlags(MakeIpvsSpec(), {"--collector.ipvs.backend-labels=proto"}), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_ipvs_backend_connections_active", {{"proto", "TCP"}}), 412 + 398 + 0 + 7);
  EXPECT_EQ(SampleValue(*families, "node_ipvs_backend_weight", {{"proto", "FWM"}}), 20);
  EXPECT_EQ(FindFamily(*families, "node_ipvs_backend_weight")->metric.size(), 3u);
}

TEST(IpvsCollector, UnknownLabelFlagStopsStartup) {
  auto families = CollectFrom(SpecWithFlags(MakeIpvsSpec(), {"--collector.ipvs.backend-labels=vip"}), FixturePaths());
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kInvalidArgument);
}

TEST(IpvsCollector, NoIpvsIsNoDataButAMissingBackendTableIsAnError) {
  ExpectNotFoundOnEmptyHost(MakeIpvsSpec());
  testing::TempDir dir;
  dir.WriteFile("proc/net/ip_vs_stats", std::string(kStatsHeader) + "1 2 3 4 5\n\n");
  auto families = CollectFrom(MakeIpvsSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().code(), StatusCode::kNotFound);
  dir.WriteFile("proc/net/ip_vs_stats", "garbage\n");
  dir.WriteFile("proc/net/ip_vs", "");
  auto garbled = CollectFrom(MakeIpvsSpec(), HostPathsIn(dir));
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.status().code(), StatusCode::kParseError);
}

}  // namespace
}  // namespace buildfarm::exporter
