// The netdev collector's netlink path: ParseLinkDump over hand-built RTM_GETLINK answers (good,
// truncated, lying lengths, huge), the collector over a fake LinkDumpSource, and one live dump of
// this machine's kernel.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "common/file_reader.h"
#include "exporter/collectors/netdev.h"
#include "exporter/procfs/rtnetlink_link.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr std::uint16_t kIflaIfname = 3, kIflaStats = 7, kIflaStats64 = 23, kIflaMtu = 4;

template <typename T>
void Put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

std::string Attribute(std::uint16_t type, const std::string& payload) {
  std::string out;
  Put<std::uint16_t>(out, static_cast<std::uint16_t>(4 + payload.size()));
  Put<std::uint16_t>(out, type);
  out += payload;
  out.resize((out.size() + 3) & ~std::size_t{3}, '\0');
  return out;
}

// `fields` counters valued base, base+1, ... in the given width.
template <typename Field>
std::string Stats(int fields, std::uint64_t base) {
  std::string out;
  for (int i = 0; i < fields; ++i) Put<Field>(out, static_cast<Field>(base + i));
  return out;
}

std::string Message(std::uint16_t type, const std::string& payload, std::uint32_t length_override = 0) {
  std::string out;
  Put<std::uint32_t>(out, length_override ? length_override : static_cast<std::uint32_t>(16 + payload.size()));
  Put<std::uint16_t>(out, type);
  Put<std::uint16_t>(out, 2);  // NLM_F_MULTI
  Put<std::uint32_t>(out, 1);  // seq
  Put<std::uint32_t>(out, 0);  // pid
  return out + payload;
}

std::string Link(const std::string& name, const std::string& attributes) {
  return Message(16, std::string(16, '\0') + Attribute(kIflaIfname, name + '\0') + attributes);
}

std::string Stats64Link(const std::string& name, std::uint64_t base, int fields = 25) {
  return Link(name, Attribute(kIflaMtu, std::string(4, '\x05')) + Attribute(kIflaStats64, Stats<std::uint64_t>(fields, base)));
}

std::string Done() { return Message(3, std::string(4, '\0')); }

std::string Error(std::int32_t error) {
  std::string payload;
  Put<std::int32_t>(payload, error);
  return Message(2, payload + std::string(16, '\0'));
}

TEST(ParseLinkDump, ReadsLinksUntilDone) {
  std::string bytes = Stats64Link("lo", 100) + Message(1, "") + Error(0) + Stats64Link("eth0", 1000) + Done() +
                      Stats64Link("after-done", 1);
  auto dump = ParseLinkDump(bytes);
  ASSERT_TRUE(dump.ok()) << dump.status().ToString();
  EXPECT_TRUE(dump->done);
  ASSERT_EQ(dump->links.size(), 2u);
  EXPECT_EQ(dump->links[0].name, "lo");
  EXPECT_TRUE(dump->links[0].has_stats);
  EXPECT_EQ(dump->links[0].stats[kRxPackets], 100u);
  EXPECT_EQ(dump->links[1].stats[kRxNohandler], 1023u);  // the 24th field; the 25th is ignored
}

TEST(ParseLinkDump, StatsVariants) {
  struct Case {
    const char* what;
    std::string attributes;
    bool has_stats;
    std::uint64_t rx_bytes;
    std::uint64_t nohandler;
  };
  const std::string wide = Stats<std::uint64_t>(24, 0xFFFFFFFF00ull);
  const Case cases[] = {
      {"32-bit stats only", Attribute(kIflaStats, Stats<std::uint32_t>(24, 7)), true, 9, 30},
      {"64-bit wins over 32-bit, either order",
       Attribute(kIflaStats64, wide) + Attribute(kIflaStats, Stats<std::uint32_t>(24, 7)), true, 0xFFFFFFFF02ull,
       0xFFFFFFFF17ull},
      {"64-bit after 32-bit", Attribute(kIflaStats, Stats<std::uint32_t>(24, 7)) + Attribute(kIflaStats64, wide), true,
       0xFFFFFFFF02ull, 0xFFFFFFFF17ull},
      {"pre-4.6 kernel: 23 fields", Attribute(kIflaStats64, Stats<std::uint64_t>(23, 1)), true, 3, 0},
      {"no stats at all", Attribute(kIflaMtu, "abcd"), false, 0, 0},
      {"nested flag bit masked", Attribute(kIflaStats64 | 0x8000, Stats<std::uint64_t>(24, 1)), true, 3, 24},
  };
  for (const Case& c : cases) {
    auto dump = ParseLinkDump(Link("x", c.attributes) + Done());
    ASSERT_TRUE(dump.ok()) << c.what << ": " << dump.status().ToString();
    ASSERT_EQ(dump->links.size(), 1u) << c.what;
    EXPECT_EQ(dump->links[0].has_stats, c.has_stats) << c.what;
    EXPECT_EQ(dump->links[0].stats[kRxBytes], c.rx_bytes) << c.what;
    EXPECT_EQ(dump->links[0].stats[kRxNohandler], c.nohandler) << c.what;
  }
}

TEST(ParseLinkDump, SkipsNamelessLinksAndEmptyInput) {
  auto nameless = ParseLinkDump(Message(16, std::string(16, '\0') + Attribute(kIflaStats64, Stats<std::uint64_t>(24, 1))));
  ASSERT_TRUE(nameless.ok());
  EXPECT_TRUE(nameless->links.empty());
  EXPECT_FALSE(nameless->done);
  auto empty = ParseLinkDump("");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->done);
}

TEST(ParseLinkDump, RejectsMalformedBytes) {
  const std::string good = Stats64Link("eth0", 1);
  std::string attribute_too_long = Link("eth0", "");
  attribute_too_long += std::string("\xff\x7f\x17\x00", 4);  // rta_len 32767, 4 bytes there
  std::string link_too_long = attribute_too_long;
  std::uint32_t fixed = static_cast<std::uint32_t>(link_too_long.size());
  std::memcpy(link_too_long.data(), &fixed, 4);
  std::string tiny_attribute = Link("eth0", std::string("\x02\x00\x17\x00", 4));
  std::memcpy(tiny_attribute.data(), &(fixed = static_cast<std::uint32_t>(tiny_attribute.size())), 4);
  const struct {
    const char* what;
    std::string bytes;
    const char* message;
  } cases[] = {
      {"truncated header", good + good.substr(0, 10), "truncated message header"},
      {"length below the header", Message(16, "", 8), "message length 8"},
      {"length past the end", Message(16, std::string(16, '\0'), 4096), "message length 4096"},
      {"length that overflows", Message(16, std::string(16, '\0'), 0xFFFFFFFFu), "message length 4294967295"},
      {"link shorter than ifinfomsg", Message(16, std::string(8, '\0')), "shorter than its ifinfomsg"},
      {"attribute past the message", link_too_long, "attribute length 32767"},
      {"attribute below its header", tiny_attribute, "attribute length 2"},
      {"short 64-bit stats", Link("eth0", Attribute(kIflaStats64, Stats<std::uint64_t>(22, 1))), "want at least 184"},
      {"short 32-bit stats", Link("eth0", Attribute(kIflaStats, std::string(12, '\0'))), "want at least 92"},
      {"truncated error", Message(2, "ab"), "truncated NLMSG_ERROR"},
  };
  for (const auto& c : cases) {
    auto dump = ParseLinkDump(c.bytes);
    ASSERT_FALSE(dump.ok()) << c.what;
    EXPECT_NE(dump.status().message().find(c.message), std::string::npos) << c.what << ": " << dump.status().ToString();
  }
  auto refused = ParseLinkDump(Error(-1));  // EPERM
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError);
  EXPECT_NE(refused.status().message().find("not permitted"), std::string::npos) << refused.status().ToString();
  EXPECT_NE(ParseLinkDump(Error(-1000000)).status().message().find("code -1000000"), std::string::npos);
}

TEST(ParseLinkDump, EveryTruncationIsSafe) {
  const std::string bytes = Stats64Link("eth0", 1) + Stats64Link("lo", 2) + Done();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    auto dump = ParseLinkDump(std::string_view(bytes).substr(0, cut));
    if (dump.ok()) EXPECT_FALSE(dump->done) << cut;  // only whole-message prefixes parse
  }
}

TEST(ParseLinkDump, HandlesHugeDumps) {
  std::string bytes;
  for (int i = 0; i < 20000; ++i) bytes += Stats64Link("veth" + std::to_string(i), i);
  auto dump = ParseLinkDump(bytes + Done());
  ASSERT_TRUE(dump.ok());
  EXPECT_EQ(dump->links.size(), 20000u);
}

class FixedSource : public LinkDumpSource {
 public:
  explicit FixedSource(Result<std::string> bytes) : bytes_(std::move(bytes)) {}
  Result<std::string> Dump() override { return bytes_; }

 private:
  Result<std::string> bytes_;
};

CollectorSpec NetlinkSpec(Result<std::string> bytes, const std::vector<std::string>& args = {}) {
  return SpecWithFlags(MakeNetdevSpec([bytes] { return std::make_unique<FixedSource>(bytes); }), args);
}

TEST(NetdevNetlinkCollector, FoldsStatsIntoProcNames) {
  // Field i (in kernel order) holds 10 + i; the folded sums follow the kernel's net-procfs.c.
  std::string no_stats = Link("down0", Attribute(kIflaMtu, "abcd"));
  auto families = CollectFromFixtures(NetlinkSpec(Stats64Link("lo", 10) + no_stats + Stats64Link("eth0", 1000) + Done()));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  const struct {
    const char* name;
    double value;
  } cases[] = {
      {"receive_packets", 10}, {"transmit_packets", 11}, {"receive_bytes", 12}, {"transmit_bytes", 13},
      {"receive_errs", 14}, {"transmit_errs", 15}, {"receive_drop", 16 + 25}, {"transmit_drop", 17},
      {"receive_multicast", 18}, {"transmit_colls", 19}, {"receive_frame", 23 + 20 + 21 + 22}, {"receive_fifo", 24},
      {"transmit_carrier", 27 + 26 + 29 + 30}, {"transmit_fifo", 28}, {"receive_compressed", 31},
      {"transmit_compressed", 32}, {"receive_nohandler", 33},
  };
  for (const auto& c : cases) {
    std::string family = std::string("node_network_") + c.name + "_total";
    EXPECT_EQ(SampleValue(f, family, {{"device", "lo"}}), c.value) << family;
    const auto* found = FindFamily(f, family);
    ASSERT_NE(found, nullptr) << family;
    EXPECT_EQ(found->help, std::string("Network device statistic ") + c.name + ".");
    EXPECT_EQ(found->type, prometheus::MetricType::Counter);
    EXPECT_EQ(found->metric.size(), 2u) << family << ": lo and eth0; down0 has no stats";
  }
  EXPECT_EQ(f.size(), 17u);
}

TEST(NetdevNetlinkCollector, DeviceFlagsAndFailures) {
  const std::string dump = Stats64Link("lo", 1) + Stats64Link("eth0", 2) + Done();
  auto no_lo = CollectFromFixtures(NetlinkSpec(dump, {"--collector.netdev.device-exclude=^lo$"}));
  ASSERT_TRUE(no_lo.ok());
  EXPECT_EQ(FindSample(*no_lo, "node_network_receive_bytes_total", {{"device", "lo"}}), nullptr);
  EXPECT_EQ(SampleValue(*no_lo, "node_network_receive_bytes_total", {{"device", "eth0"}}), 4);

  auto none = CollectFromFixtures(NetlinkSpec(dump, {"--collector.netdev.device-include=^wlan"}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto refused = CollectFromFixtures(NetlinkSpec(Result<std::string>(IoError("netlink socket: denied"))));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("denied"), std::string::npos);
  EXPECT_FALSE(CollectFromFixtures(NetlinkSpec(dump.substr(0, 30))).ok());
}

// The real socket on this machine: the dump parses, ends in NLMSG_DONE, and names the same
// interfaces as /proc/net/dev (interfaces do not come and go on the test host).
TEST(NetdevNetlinkLive, KernelDumpMatchesProcNetDev) {
  auto bytes = MakeRtnetlinkLinkSource()->Dump();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto dump = ParseLinkDump(*bytes);
  ASSERT_TRUE(dump.ok()) << dump.status().ToString();
  EXPECT_TRUE(dump->done);
  std::set<std::string> netlink_names;
  for (const auto& link : dump->links) {
    EXPECT_TRUE(link.has_stats) << link.name;
    netlink_names.insert(link.name);
  }
  auto text = ReadFileCapped("/proc/net/dev");
  ASSERT_TRUE(text.ok());
  auto lines = ParseNetDev(*text);
  ASSERT_TRUE(lines.ok());
  std::set<std::string> proc_names;
  for (const auto& line : *lines) proc_names.insert(std::string(line.device));
  EXPECT_EQ(netlink_names, proc_names);
  EXPECT_TRUE(netlink_names.count("lo"));
}

}  // namespace
}  // namespace buildfarm::exporter
