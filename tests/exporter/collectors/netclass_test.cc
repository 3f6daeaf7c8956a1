#include "exporter/collectors/netclass.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseNetClassAttribute, StoresNumbersStringsAndZeroForGarbage) {
  NetClassIface iface;
  ParseNetClassAttribute("mtu", "abc", iface);  // procfs's ValueParser serves 0 for what does not parse
  ParseNetClassAttribute("flags", "0x1003", iface);
  ParseNetClassAttribute("type", "", iface);
  ParseNetClassAttribute("operstate", "up", iface);
  ParseNetClassAttribute("uevent", "INTERFACE=eth0", iface);  // not an exported attribute
  EXPECT_EQ(iface.mtu, 0);
  EXPECT_EQ(iface.flags, 4099);
  EXPECT_EQ(iface.type, 0);
  EXPECT_EQ(iface.operstate, "up");
  EXPECT_FALSE(iface.speed.has_value());
}

TEST(NetClassSpeedBytes, ConvertsMegabitsWithGoIntegerArithmetic) {
  EXPECT_EQ(NetClassSpeedBytes(10000), 1250000000);
  EXPECT_EQ(NetClassSpeedBytes(-1), -125000);
  EXPECT_EQ(NetClassSpeedBytes(0), 0);
  // Wraps like Go's int64 instead of being undefined behaviour.
  EXPECT_EQ(NetClassSpeedBytes(INT64_MAX),
            static_cast<std::int64_t>(static_cast<std::uint64_t>(INT64_MAX) * 1000000u) / 8);
}

TEST(NetclassCollector, ExportsFixtureInterfaces) {
  auto families = CollectFromFixtures(MakeNetclassSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_network_up", {{"device", "eth0"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_network_up", {{"device", "wlan0"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_network_info",
                        {{"device", "eth0"},
                         {"address", "3c:ec:ef:12:34:56"},
                         {"broadcast", "ff:ff:ff:ff:ff:ff"},
                         {"duplex", "full"},
                         {"operstate", "up"},
                         {"ifalias", "uplink-to-tor1"}}),
            1);
  EXPECT_EQ(SampleValue(f, "node_network_info",
                        {{"device", "docker0"},
                         {"address", "02:42:ac:11:00:01"},
                         {"broadcast", "ff:ff:ff:ff:ff:ff"},
                         {"duplex", ""},
                         {"operstate", "down"},
                         {"ifalias", ""}}),
            1);
  EXPECT_EQ(SampleValue(f, "node_network_mtu_bytes", {{"device", "eth0"}}), 9000);
  EXPECT_EQ(SampleValue(f, "node_network_speed_bytes", {{"device", "eth0"}}), 1.25e9);
  EXPECT_EQ(SampleValue(f, "node_network_speed_bytes", {{"device", "wlan0"}}), -125000);
  EXPECT_EQ(SampleValue(f, "node_network_flags", {{"device", "eth0"}}), 4099);
  EXPECT_EQ(SampleValue(f, "node_network_protocol_type", {{"device", "lo"}}), 772);
  EXPECT_EQ(SampleValue(f, "node_network_carrier_changes_total", {{"device", "wlan0"}}), 17);
  EXPECT_EQ(FindFamily(f, "node_network_carrier_changes_total")->type, prometheus::MetricType::Counter);
  // Attributes the driver does not provide are left out, not served as 0.
  EXPECT_EQ(FindSample(f, "node_network_carrier", {{"device", "docker0"}}), nullptr);
  EXPECT_EQ(FindSample(f, "node_network_name_assign_type", {{"device", "lo"}}), nullptr);
  // bonding_masters is a regular file, not an interface.
  EXPECT_EQ(FindSample(f, "node_network_up", {{"device", "bonding_masters"}}), nullptr);
  // eth0, wlan0, lo, docker0 and the bonding collector's bond0.
  EXPECT_EQ(FindFamily(f, "node_network_up")->metric.size(), 5u);
}

TEST(NetclassCollector, FlagsIgnoreDevicesAndInvalidSpeeds) {
  auto families =
      CollectFromFixtures(SpecWithFlags(MakeNetclassSpec(), {"--collector.netclass.ignored-devices=^(lo|docker)",
                                                             "--collector.netclass.ignore-invalid-speed"}));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(FindFamily(*families, "node_network_up")->metric.size(), 3u);  // eth0, wlan0, bond0
  EXPECT_EQ(FindSample(*families, "node_network_up", {{"device", "lo"}}), nullptr);
  EXPECT_EQ(FindSample(*families, "node_network_speed_bytes", {{"device", "wlan0"}}), nullptr);
  EXPECT_NE(FindSample(*families, "node_network_speed_bytes", {{"device", "eth0"}}), nullptr);
}

TEST(NetclassCollector, RejectsAnInvalidIgnorePatternNamingTheFlag) {
  auto families = CollectFromFixtures(SpecWithFlags(MakeNetclassSpec(), {"--collector.netclass.ignored-devices=(("}));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("collector.netclass.ignored-devices"), std::string::npos);
}

TEST(NetclassCollector, EdgeCasesOfTheSysfsTree) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/net/a/mtu", "abc\n");
  dir.WriteFile("sys/class/net/a/ifalias", std::string(300, 'x'));
  dir.WriteFile("sys/class/net/c/ifalias", "up\xfflink\n");  // administrators set any bytes
  dir.WriteFile("sys/class/net/a/operstate", " up \n");
  dir.MakeDir("sys/class/net/a/speed");  // a directory where a file was expected is skipped
  dir.WriteFile("target_mtu", "77\n");
  dir.Symlink(dir.Join("target_mtu"), "sys/class/net/b/mtu");  // symlinked attributes are skipped too
  dir.WriteFile("sys/class/net/b/tx_queue_len", "1_000\n");
  auto families = CollectFrom(MakeNetclassSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_network_mtu_bytes", {{"device", "a"}}), 0);
  EXPECT_EQ(SampleValue(f, "node_network_up", {{"device", "a"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_network_info",
                        {{"device", "a"},
                         {"address", ""},
                         {"broadcast", ""},
                         {"duplex", ""},
                         {"operstate", "up"},
                         {"ifalias", std::string(128, 'x')}}),
            1);
  EXPECT_EQ(FindSample(f, "node_network_speed_bytes", {{"device", "a"}}), nullptr);
  EXPECT_EQ(SampleValue(f, "node_network_info",
                        {{"device", "c"},
                         {"address", ""},
                         {"broadcast", ""},
                         {"duplex", ""},
                         {"operstate", ""},
                         {"ifalias", "up\xEF\xBF\xBDlink"}}),
            1);
  EXPECT_EQ(FindSample(f, "node_network_mtu_bytes", {{"device", "b"}}), nullptr);
  EXPECT_EQ(SampleValue(f, "node_network_transmit_queue_length", {{"device", "b"}}), 1000);
}

TEST(NetclassCollector, InterfaceGoneBetweenListingAndReadingIsSkipped) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/net/eth0/mtu", "1500\n");
  dir.Symlink(dir.Join("sys/devices/virtual/net/veth9"), "sys/class/net/veth9");  // removed veth: dangling link
  auto families = CollectFrom(MakeNetclassSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_network_mtu_bytes", {{"device", "eth0"}}), 1500);
  EXPECT_EQ(FindFamily(*families, "node_network_up")->metric.size(), 1u);
}

TEST(NetclassCollector, UnreadableInterfaceDirectoryIsAnError) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/net/eth0/mtu", "1500\n");
  dir.WriteFile("sys/devices/not_a_dir", "x");
  dir.Symlink(dir.Join("sys/devices/not_a_dir/x"), "sys/class/net/odd0");  // ENOTDIR, not ENOENT
  auto families = CollectFrom(MakeNetclassSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().code(), StatusCode::kNotFound) << families.status().ToString();
}

TEST(NetclassCollector, NoNetClassDirectoryIsNoData) {
  testing::TempDir dir;
  dir.MakeDir("sys");
  auto families = CollectFrom(MakeNetclassSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kNotFound);
}

TEST(NetclassCollector, EmptyNetClassDirectoryServesNothing) {
  testing::TempDir dir;
  dir.MakeDir("sys/class/net");
  auto families = CollectFrom(MakeNetclassSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok());
  EXPECT_TRUE(families->empty());
}

}  // namespace
}  // namespace buildfarm::exporter
