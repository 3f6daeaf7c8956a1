#include "exporter/collectors/arp.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr char kHeader[] = "IP address       HW type     Flags       HW address            Mask     Device\n";

TEST(ParseArpEntries, CountsEntriesPerDeviceInOrderOfAppearance) {
  auto counts = ParseArpEntries(std::string(kHeader) +
                                "192.0.2.1    0x1  0x2  52:54:00:12:34:01  *  eth1\n"
                                "fe80::1      0x1  0x2  52-54-00-12-34-02  *  eth0\n"
                                "192.0.2.44   0x1  0x0  00:00:00:00:00:00  *  eth1\n"
                                "192.0.2.9    0x20 0x2  80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:1b:2c  *  ib0\n");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].device, "eth1");
  EXPECT_EQ((*counts)[0].entries, 2u);
  EXPECT_EQ((*counts)[1].device, "eth0");
  EXPECT_EQ((*counts)[2].device, "ib0");
}

TEST(ParseArpEntries, HeaderOnlyOrEmptyHasNoEntries) {
  for (const char* text : {"", kHeader}) {
    auto counts = ParseArpEntries(text);
    ASSERT_TRUE(counts.ok());
    EXPECT_TRUE(counts->empty());
  }
}

TEST(ParseArpEntries, RejectsBadInput) {
  ExpectParseErrors([](const std::string& text) { return ParseArpEntries(text); }, {
      {"truncated line", std::string(kHeader) + "192.0.2.1 0x1 0x2 52:54:00"},
      {"bad IP address", std::string(kHeader) + "192.0.2.300 0x1 0x2 52:54:00:12:34:01 * eth0\n"},
      {"bad hardware address", std::string(kHeader) + "192.0.2.1 0x1 0x2 52:54:00:12:34 * eth0\n"},
      {"hardware address with a stray character", std::string(kHeader) + "192.0.2.1 0x1 0x2 52:54:00:12:34:0g * eth0\n"},
      {"huge single word", std::string(4 << 20, 'x')},
  });
}

TEST(ArpCollector, ExportsTheFixture) {
  auto families = CollectFromFixtures(MakeArpSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_arp_entries", {{"device", "eth0"}}), 3);
  EXPECT_EQ(SampleValue(*families, "node_arp_entries", {{"device", "eth1"}}), 1);
  EXPECT_EQ((*families)[0].type, prometheus::MetricType::Gauge);
  EXPECT_EQ((*families)[0].help, "ARP entries by device");
}

TEST(ArpCollector, DeviceFlagsFilter) {
  struct Case {
    const char* flag;
    bool eth0;
    bool eth1;
  };
  const Case cases[] = {
      {"--collector.arp.device-exclude=^eth0$", false, true},
      {"--collector.arp.device-include=^eth0$", true, false},
      {"--collector.arp.device-exclude=eth", false, false},
  };
  for (const Case& c : cases) {
    auto families = CollectFrom(SpecWithFlags(MakeArpSpec(), {c.flag}), FixturePaths());
    ASSERT_TRUE(families.ok()) << c.flag << ": " << families.status().ToString();
    EXPECT_EQ(FindSample(*families, "node_arp_entries", {{"device", "eth0"}}) != nullptr, c.eth0) << c.flag;
    EXPECT_EQ(FindSample(*families, "node_arp_entries", {{"device", "eth1"}}) != nullptr, c.eth1) << c.flag;
  }
  auto both = CollectFrom(SpecWithFlags(MakeArpSpec(), {"--collector.arp.device-exclude=a",
                                                        "--collector.arp.device-include=b"}),
                          FixturePaths());
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), StatusCode::kInvalidArgument);
}

TEST(ArpCollector, MissingFileIsNotFound) {
  ExpectNotFoundOnEmptyHost(MakeArpSpec());
}

}  // namespace
}  // namespace buildfarm::exporter
