#include "exporter/collectors/udp_queues.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr char kHeader[] =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
    "pointer drops\n";

TEST(ParseUdpQueues, SumsTheQueuesOfEverySocket) {
  auto totals = ParseUdpQueues(
      std::string(kHeader) +
      "  201: 00000000:0044 00000000:0000 07 00000000:00000000 00 00000000:00000000 00000000     0        0 19412 2 "
      "0000000000000000 0\n"
      "  327: 3500007F:0035 00000000:0000 07 00000010:00000a00 00 00000000:00000000 00000000   101        0 17822 2 "
      "0000000000000000 0\n"
      "  112: 00000000000000000000000000000000:0222 00000000000000000000000000000000:0000 07 00000200:00000300 00 "
      "00000000:00000000 00000000     0        0 20931 2 0000000000000000 0\n");
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->tx_bytes, 0x210u);
  EXPECT_EQ(totals->rx_bytes, 0xd00u);
  EXPECT_EQ(totals->sockets, 3u);
}

TEST(ParseUdpQueues, HeaderOnlyOrEmptyIsZero) {
  for (const char* text : {"", kHeader}) {
    auto totals = ParseUdpQueues(text);
    ASSERT_TRUE(totals.ok());
    EXPECT_EQ(totals->sockets, 0u);
  }
}

TEST(ParseUdpQueues, RejectsBadInput) {
  const std::string line_start = "  201: 00000000:0044 00000000:0000 07 ";
  const std::string line_end = " 00 00000000:00000000 00000000     0        0 19412 2 0000000000000000 0\n";
  ExpectParseErrors([](const std::string& text) { return ParseUdpQueues(text); }, {
      {"truncated line", std::string(kHeader) + "  201: 00000000:0044 00000000:0000 07"},
      {"queues without colon", std::string(kHeader) + line_start + "0000000000000000" + line_end},
      {"queue not hex", std::string(kHeader) + line_start + "0000000x:00000000" + line_end},
      {"odd-length address", std::string(kHeader) + "  201: 0000000:0044 00000000:0000 07 0:0" + line_end},
      {"bad slot", std::string(kHeader) + "  x: 00000000:0044 00000000:0000 07 0:0" + line_end},
      {"huge single word", std::string(kHeader) + std::string(4 << 20, 'x')},
  });
}

TEST(UdpQueuesCollector, ExportsBothIpVersionsOfTheFixture) {
  auto families = CollectFromFixtures(MakeUdpQueuesSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_udp_queues", {{"ip", "v4"}, {"queue", "tx"}}), 512);
  EXPECT_EQ(SampleValue(*families, "node_udp_queues", {{"ip", "v4"}, {"queue", "rx"}}), 2816);
  EXPECT_EQ(SampleValue(*families, "node_udp_queues", {{"ip", "v6"}, {"queue", "tx"}}), 0);
  EXPECT_EQ(SampleValue(*families, "node_udp_queues", {{"ip", "v6"}, {"queue", "rx"}}), 768);
  EXPECT_EQ((*families)[0].help, "Number of allocated memory in the kernel for UDP datagrams in bytes.");
}

TEST(UdpQueuesCollector, WithoutIpv6ServesIpv4AndWithoutIpv4IsNotFound) {
  testing::TempDir v4_only;
  v4_only.WriteFile("proc/net/udp", kHeader);
  auto families = CollectFrom(MakeUdpQueuesSpec(), HostPathsIn(v4_only));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ((*families)[0].metric.size(), 2u);

  ExpectNotFoundOnEmptyHost(MakeUdpQueuesSpec());
}

}  // namespace
}  // namespace buildfarm::exporter
