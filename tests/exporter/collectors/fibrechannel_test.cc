#include "exporter/collectors/fibrechannel.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseFibreChannelAttribute, StripsNamePrefixesAndParsesStatistics) {
  FibreChannelHost host;
  const std::pair<const char*, const char*> ok[] = {
      {"port_name", "0x1000e0071bce95f2"}, {"port_id", "0x"},          {"fabric_name", "0x0"},
      {"node_name", "ab"},                 {"speed", "16 Gbit"},        {"statistics/rx_frames", "0x50"},
      {"statistics/tx_words", "128"},      {"statistics/lip_count", "garbage is ignored"},
      {"unknown", "whatever"},
  };
  for (const auto& [file, value] : ok) EXPECT_TRUE(ParseFibreChannelAttribute(file, value, host).ok()) << file;
  EXPECT_EQ(host.port_name, "1000e0071bce95f2");
  EXPECT_EQ(host.port_id, "0x");  // procfs strips only values longer than two bytes
  EXPECT_EQ(host.fabric_name, "0");
  EXPECT_EQ(host.node_name, "ab");
  EXPECT_EQ(host.speed, "16 Gbit");
  EXPECT_EQ(host.rx_frames, 80u);
  EXPECT_EQ(host.tx_words, 128u);
  for (const char* bad : {"", "-1", "0x1g", "0xffffffffffffffffff", "1.0", "N/A"}) {
    EXPECT_EQ(ParseFibreChannelAttribute("statistics/nos_count", bad, host).code(), StatusCode::kParseError) << bad;
  }
  EXPECT_EQ(ParseFibreChannelAttribute("statistics/nos_count", std::string(100000, '1'), host).code(),
            StatusCode::kParseError);
}

TEST(FibrechannelCollector, ExportsTheFixtureHost) {
  auto families = CollectFromFixtures(MakeFibrechannelSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto* info = FindFamily(*families, "node_fibrechannel_info");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->metric.size(), 1u);
  EXPECT_NE(FindSample(*families, "node_fibrechannel_info",
                       {{"fc_host", "host0"},
                        {"dev_loss_tmo", "30"},
                        {"fabric_name", "0"},
                        {"port_id", "000002"},
                        {"port_name", "1000e0071bce95f2"},
                        {"port_state", "Online"},
                        {"port_type", "NPort (fabric via point-to-point)"},
                        {"speed", "16 Gbit"},
                        {"supported_classes", "Class 3"},
                        {"supported_speeds", "4 Gbit, 8 Gbit, 16 Gbit"},
                        {"symbolic_name", "Emulex SN1100E2P FV12.4.270.3 DV12.4.0.0. HN:gotest. OS:Linux"}}),
            nullptr);
  EXPECT_EQ(SampleValue(*families, "node_fibrechannel_seconds_since_last_reset_total", {{"fc_host", "host0"}}), 1234);
  EXPECT_EQ(SampleValue(*families, "node_fibrechannel_nos_total", {{"fc_host", "host0"}}), 256);
  // dumped_frames reads 0xffffffffffffffff: not implemented by the HBA, not served.
  EXPECT_EQ(FindFamily(*families, "node_fibrechannel_dumped_frames_total"), nullptr);
}

TEST(FibrechannelCollector, MissingAttributesAreEmptyAndRemovedHostsSkipped) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/fc_host/host1/port_state", "Linkdown\n");
  dir.WriteFile("sys/class/fc_host/host1/symbolic_name", "QLE2692 \xff\xfe FW:v9\n");
  dir.MakeDir("sys/class/fc_host/host1/statistics");
  dir.Symlink(dir.Join("sys/devices/gone/host2"), "sys/class/fc_host/host2");
  auto families = CollectFrom(MakeFibrechannelSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto* info = FindFamily(*families, "node_fibrechannel_info");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->metric.size(), 1u);
  LabelMap labels;
  for (const auto& label : info->metric[0].label) labels[label.name] = label.value;
  EXPECT_EQ(labels["port_state"], "Linkdown");
  EXPECT_EQ(labels["speed"], "");
  EXPECT_EQ(labels["symbolic_name"], "QLE2692 \uFFFD FW:v9");  // labels must be valid UTF-8
  EXPECT_EQ(SampleValue(*families, "node_fibrechannel_rx_frames_total", {{"fc_host", "host1"}}), 0);
}

TEST(FibrechannelCollector, GarbledCounterFailsAndNoHostsIsNoData) {
  ExpectNotFoundOnEmptyHost(MakeFibrechannelSpec());
  testing::TempDir dir;
  dir.WriteFile("sys/class/fc_host/host0/statistics/tx_frames", "lots\n");
  auto families = CollectFrom(MakeFibrechannelSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().ToString().find("tx_frames"), std::string::npos) << families.status().ToString();
}

}  // namespace
}  // namespace buildfarm::exporter
