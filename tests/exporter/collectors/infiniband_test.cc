#include "exporter/collectors/infiniband.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseInfiniBandState, IdAndName) {
  auto state = ParseInfiniBandState("4: ACTIVE\n");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->first, 4u);
  EXPECT_EQ(state->second, "ACTIVE");
  auto bare = ParseInfiniBandState(" 5 :LinkUp");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->first, 5u);
  for (const char* bad : {"", "4 ACTIVE", "4: ACTIVE: more", "x: ACTIVE", "-1: DOWN", "+1: DOWN", "4294967296: BIG",
                          ": EMPTY"}) {
    auto parsed = ParseInfiniBandState(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
  EXPECT_FALSE(ParseInfiniBandState(std::string(1 << 20, '9') + ": HUGE").ok());
}

TEST(ParseInfiniBandRate, GigabitsToBytesAsFloat32) {
  struct Case {
    const char* text;
    std::uint64_t bytes;
  };
  const Case cases[] = {{"40 Gb/sec (4X QDR)\n", 5000000000u},
                        {"2.5 Gb/sec (1X SDR)", 312500000u},
                        {"14.0625 Gb/sec (1X FDR)", 1757812500u},
                        {"0 x", 0u},
                        {"1e1 Gb/sec", 1250000000u}};
  for (const Case& c : cases) {
    auto rate = ParseInfiniBandRate(c.text);
    ASSERT_TRUE(rate.ok()) << c.text << ": " << rate.status().ToString();
    EXPECT_EQ(*rate, c.bytes) << c.text;
  }
  for (const char* bad : {"", "40", "fast Gb/sec", "-1 Gb/sec", "1e39 Gb/sec", " 40 Gb/sec", "4..0 Gb/sec"}) {
    EXPECT_FALSE(ParseInfiniBandRate(bad).ok()) << bad;
  }
}

TEST(ParseInfiniBandCounter, ParsesMultipliesAndSkipsNoPma) {
  InfiniBandPort port;
  EXPECT_TRUE(ParseInfiniBandCounter("counters", "port_rcv_data", "10", port).ok());
  EXPECT_TRUE(ParseInfiniBandCounter("counters", "link_downed", "0x10", port).ok());
  EXPECT_TRUE(ParseInfiniBandCounter("counters", "symbol_error", "N/A (no PMA)", port).ok());
  EXPECT_TRUE(ParseInfiniBandCounter("counters", "not_a_counter", "garbage", port).ok());
  EXPECT_TRUE(ParseInfiniBandCounter("counters_ext", "port_xmit_data_64", "18446744073709551615", port).ok());
  const auto& files = InfiniBandCounterFiles();
  auto value = [&](std::string_view directory, std::string_view file) -> std::optional<std::uint64_t> {
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files[i].directory == directory && files[i].file == file) return port.counters[i];
    }
    return std::nullopt;
  };
  EXPECT_EQ(value("counters", "port_rcv_data"), 40u);  // 32-bit words
  EXPECT_EQ(value("counters", "link_downed"), 16u);
  EXPECT_EQ(value("counters", "symbol_error"), std::nullopt);
  EXPECT_EQ(value("counters_ext", "port_xmit_data_64"), UINT64_MAX * 4);  // wraps like Go's uint64
  for (const char* bad : {"", "-1", "1.5", "N/A", "18446744073709551616"}) {
    EXPECT_EQ(ParseInfiniBandCounter("counters", "port_rcv_errors", bad, port).code(), StatusCode::kParseError) << bad;
  }
}

TEST(InfinibandCollector, ExportsTheFixture) {
  auto families = CollectFromFixtures(MakeInfinibandSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_infiniband_info",
                        {{"board_id", "SM_1141000001000"},
                         {"device", "mlx4_0"},
                         {"firmware_version", "2.42.5000"},
                         {"hca_type", "MT4099"}}),
            1);
  EXPECT_EQ(SampleValue(*families, "node_infiniband_state_id", {{"device", "mlx4_0"}, {"port", "2"}}), 1);
  EXPECT_EQ(SampleValue(*families, "node_infiniband_rate_bytes_per_second", {{"device", "mlx5_1"}, {"port", "1"}}),
            312500000);
  EXPECT_EQ(SampleValue(*families, "node_infiniband_port_data_received_bytes_total", {{"device", "mlx4_0"}, {"port", "1"}}),
            2221223609.0 * 4);
  EXPECT_EQ(SampleValue(*families, "node_infiniband_legacy_data_received_bytes_total", {{"device", "mlx4_0"}, {"port", "2"}}),
            4401 * 4);
  // Port 2's port_rcv_packets reads "N/A (no PMA)".
  EXPECT_EQ(FindSample(*families, "node_infiniband_port_packets_received_total", {{"device", "mlx4_0"}, {"port", "2"}}),
            nullptr);
}

void WritePort(const testing::TempDir& dir, const std::string& device, const std::string& port) {
  std::string base = "sys/class/infiniband/" + device + "/ports/" + port + "/";
  dir.WriteFile(base + "state", "4: ACTIVE\n");
  dir.WriteFile(base + "phys_state", "5: LinkUp\n");
  dir.WriteFile(base + "rate", "100 Gb/sec (4X EDR)\n");
  dir.WriteFile(base + "counters/link_downed", "1\n");
}

TEST(InfinibandCollector, DeviceGoneOrIncompleteIsSkipped) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/infiniband/mlx5_0/fw_ver", "16.1\n");
  dir.WriteFile("sys/class/infiniband/mlx5_0/board_id", "MT_1\n");  // no hca_type: served as ""
  WritePort(dir, "mlx5_0", "1");
  dir.Symlink(dir.Join("sys/devices/gone/mlx5_1"), "sys/class/infiniband/mlx5_1");
  dir.WriteFile("sys/class/infiniband/mlx5_2/fw_ver", "16.1\n");  // board_id missing
  WritePort(dir, "mlx5_2", "1");
  auto families = CollectFrom(MakeInfinibandSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_infiniband_info",
                        {{"board_id", "MT_1"}, {"device", "mlx5_0"}, {"firmware_version", "16.1"}, {"hca_type", ""}}),
            1);
  EXPECT_EQ(FindFamily(*families, "node_infiniband_info")->metric.size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_infiniband_rate_bytes_per_second", {{"device", "mlx5_0"}, {"port", "1"}}),
            12500000000.0);
}

TEST(InfinibandCollector, DeviceWithoutPortsServesOnlyItsInfo) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/infiniband/rxe0/fw_ver", "0.0.0\n");
  dir.WriteFile("sys/class/infiniband/rxe0/board_id", "soft\n");
  dir.MakeDir("sys/class/infiniband/rxe0/ports");
  auto families = CollectFrom(MakeInfinibandSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ((*families)[0].name, "node_infiniband_info");
}

TEST(InfinibandCollector, GarbledPortFilesFailTheScrape) {
  struct Case {
    const char* name;
    const char* file;
    const char* contents;
  };
  const Case cases[] = {
      {"state without colon", "ports/1/state", "4 ACTIVE\n"},
      {"rate without unit", "ports/1/rate", "fast\n"},
      {"garbled counter", "ports/1/counters/link_downed", "lots\n"},
      {"port directory that is not a number", "ports/x/state", "4: ACTIVE\n"},
  };
  for (const Case& c : cases) {
    testing::TempDir dir;
    dir.WriteFile("sys/class/infiniband/mlx4_0/fw_ver", "2.1\n");
    dir.WriteFile("sys/class/infiniband/mlx4_0/board_id", "MT_1\n");
    WritePort(dir, "mlx4_0", "1");
    dir.WriteFile(std::string("sys/class/infiniband/mlx4_0/") + c.file, c.contents);
    auto families = CollectFrom(MakeInfinibandSpec(), HostPathsIn(dir));
    EXPECT_FALSE(families.ok()) << c.name;
  }
  ExpectNotFoundOnEmptyHost(MakeInfinibandSpec());
}

}  // namespace
}  // namespace buildfarm::exporter
