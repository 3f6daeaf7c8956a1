#include "exporter/collectors/netdev.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr const char* kHeader =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier "
    "compressed\n";

// The /proc/net/dev path (netlink is the default and always reads the live host), plus `args`.
CollectorSpec NetdevSpecWith(std::vector<std::string> args = {}) {
  args.insert(args.begin(), "--no-collector.netdev.netlink");
  return SpecWithFlags(MakeNetdevSpec(), args);
}

TEST(ParseNetDev, ReadsLines) {
  struct Case {
    const char* line;
    const char* device;
    std::uint64_t first;
    std::uint64_t last;
  };
  const Case cases[] = {
      {"  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "eth0", 1, 16},
      {"ib0:18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 7", "ib0", 18446744073709551615ull, 7},
      {"eth2:1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "eth2:1", 1, 16},  // name ends at the last colon
      {"\teth1:\t010 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ", "eth1", 10, 1},         // decimal, trailing blank
      {"eth3: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 x", "eth3", 1, 16},  // extra fields ignored
  };
  for (const Case& c : cases) {
    const std::string text = std::string(kHeader) + c.line + "\n";  // the parsed lines point into it
    auto lines = ParseNetDev(text);
    ASSERT_TRUE(lines.ok()) << c.line << ": " << lines.status().ToString();
    ASSERT_EQ(lines->size(), 1u);
    EXPECT_EQ((*lines)[0].device, c.device);
    EXPECT_EQ((*lines)[0].values[0], c.first);
    EXPECT_EQ((*lines)[0].values[15], c.last);
  }
}

TEST(ParseNetDev, EmptyAndHeaderOnlyAreEmpty) {
  for (const std::string& text : {std::string(), std::string(kHeader), std::string("x\n")}) {
    auto lines = ParseNetDev(text);
    ASSERT_TRUE(lines.ok()) << text;
    EXPECT_TRUE(lines->empty());
  }
}

TEST(ParseNetDev, RejectsGarbledOrTruncatedLines) {
  for (const char* line : {" eth1: -1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", " eth1: 0x10 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
                           " eth1: 18446744073709551616 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
                           " eth1: 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", " eth1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "",
                           " eth1:", " lo: x"}) {
    auto lines = ParseNetDev(std::string(kHeader) + line + "\n");
    EXPECT_FALSE(lines.ok()) << line;
    if (!lines.ok()) EXPECT_NE(lines.status().message().find("line 3"), std::string::npos);
  }
}

TEST(ParseNetDev, HandlesHugeInput) {
  std::string text = kHeader;
  for (int i = 0; i < 20000; ++i) text += "veth" + std::to_string(i) + ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
  auto lines = ParseNetDev(text);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->size(), 20000u);
  EXPECT_FALSE(ParseNetDev(std::string(kHeader) + std::string(1 << 20, 'x')).ok());
}

TEST(NetdevCollector, ExportsFixtureCounters) {
  auto families = CollectFromFixtures(NetdevSpecWith());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_network_receive_bytes_total", {{"device", "eth0"}}), 68210035552.0);
  EXPECT_EQ(SampleValue(f, "node_network_receive_packets_total", {{"device", "eth0"}}), 520993275);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_bytes_total", {{"device", "eth0"}}), 9315587528.0);
  EXPECT_EQ(SampleValue(f, "node_network_receive_errs_total", {{"device", "wlan0"}}), 3);
  EXPECT_EQ(SampleValue(f, "node_network_receive_drop_total", {{"device", "wlan0"}}), 7);
  EXPECT_EQ(SampleValue(f, "node_network_receive_fifo_total", {{"device", "wlan0"}}), 9);
  EXPECT_EQ(SampleValue(f, "node_network_receive_frame_total", {{"device", "wlan0"}}), 11);
  EXPECT_EQ(SampleValue(f, "node_network_receive_compressed_total", {{"device", "wlan0"}}), 13);
  EXPECT_EQ(SampleValue(f, "node_network_receive_multicast_total", {{"device", "wlan0"}}), 17);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_errs_total", {{"device", "wlan0"}}), 19);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_drop_total", {{"device", "wlan0"}}), 23);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_fifo_total", {{"device", "wlan0"}}), 29);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_colls_total", {{"device", "wlan0"}}), 31);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_carrier_total", {{"device", "wlan0"}}), 37);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_compressed_total", {{"device", "wlan0"}}), 41);
  EXPECT_EQ(SampleValue(f, "node_network_receive_bytes_total", {{"device", "ib0"}}), 18446744073709551615.0);
  // No default exclude, as upstream node_exporter 1.5 (Debian's package patches in "^lo$").
  EXPECT_EQ(SampleValue(f, "node_network_receive_bytes_total", {{"device", "lo"}}), 435303245);
  EXPECT_EQ(FindFamily(f, "node_network_receive_bytes_total")->metric.size(), 6u);
  EXPECT_EQ(FindFamily(f, "node_network_receive_bytes_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(FindFamily(f, "node_network_receive_bytes_total")->help, "Network device statistic receive_bytes.");
  EXPECT_EQ(f.size(), 16u);
}

TEST(NetdevCollector, DeviceFlags) {
  auto no_lo = CollectFrom(NetdevSpecWith({"--collector.netdev.device-exclude=^lo$"}), FixturePaths());
  ASSERT_TRUE(no_lo.ok());
  EXPECT_EQ(FindSample(*no_lo, "node_network_receive_bytes_total", {{"device", "lo"}}), nullptr);
  EXPECT_EQ(FindFamily(*no_lo, "node_network_receive_bytes_total")->metric.size(), 5u);

  auto included = CollectFrom(NetdevSpecWith({"--collector.netdev.device-include=^(eth|wlan)"}), FixturePaths());
  ASSERT_TRUE(included.ok()) << included.status().ToString();
  EXPECT_EQ(FindFamily(*included, "node_network_receive_bytes_total")->metric.size(), 2u);

  auto both = CollectFrom(NetdevSpecWith({"--collector.netdev.device-include=^e", "--collector.netdev.device-exclude=^eth0"}),
                          FixturePaths());
  EXPECT_FALSE(both.ok());
}

TEST(NetdevCollector, RepeatedNameKeepsTheLastLine) {
  testing::TempDir dir;
  dir.WriteFile("proc/net/dev", std::string(kHeader) + "eth1: 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n"
                                                      "eth1: 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2\n");
  auto families = CollectFrom(NetdevSpecWith(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok());
  EXPECT_EQ(FindFamily(*families, "node_network_receive_bytes_total")->metric.size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_network_receive_bytes_total", {{"device", "eth1"}}), 2);
}

TEST(NetdevCollector, FailsOnBrokenFile) {
  testing::TempDir dir;
  // Even an excluded device's garbled line fails the file, as in node_exporter.
  dir.WriteFile("proc/net/dev", std::string(kHeader) + "lo: x\neth0: 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n");
  auto families = CollectFrom(NetdevSpecWith(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("proc/net/dev"), std::string::npos) << families.status().ToString();

  testing::TempDir truncated;
  truncated.WriteFile("proc/net/dev", std::string(kHeader) + "eth0: 1 1 1 1 1");
  EXPECT_FALSE(CollectFrom(NetdevSpecWith(), HostPathsIn(truncated)).ok());

  testing::TempDir empty;
  empty.WriteFile("proc/net/dev", "");
  auto nothing = CollectFrom(NetdevSpecWith(), HostPathsIn(empty));
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

}  // namespace
}  // namespace buildfarm::exporter
