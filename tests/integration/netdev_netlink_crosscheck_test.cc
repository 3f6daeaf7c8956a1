// The netdev collector's default netlink mode on this machine, next to Debian's node_exporter 1.5 in
// its default netlink mode. Netlink reads the live kernel (no fixture tree), so values are compared
// by bracketing: node_exporter is scraped before and after buildfarm-exporter, and since every
// node_network_*_total is a kernel counter that only grows, ours must lie between the two; for a
// counter that did not move (an idle interface, error counters) that means exactly equal.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/exporter_harness.h"
#include "tests/support/prom_text.h"

namespace buildfarm::testing {
namespace {

constexpr char kNodeExporter[] = "prometheus-node-exporter";

std::map<std::string, PromSample> NetdevSeries(const std::string& address, PromExposition* exposition) {
  HttpReply reply = HttpGet(address, "/metrics");
  EXPECT_EQ(reply.status, 200) << address;
  std::string error;
  auto parsed = ParsePromText(reply.body, &error);
  EXPECT_TRUE(parsed) << error;
  if (!parsed) return {};
  *exposition = *parsed;
  std::map<std::string, PromSample> out;
  for (const auto& [key, sample] : parsed->ByKey()) {
    if (sample.name.rfind("node_network_", 0) == 0) out.emplace(key, sample);
  }
  return out;
}

TEST(NetdevNetlinkCrossCheck, LiveHostMatchesNodeExporterNetlinkMode) {
  ASSERT_TRUE(HaveProgram(kNodeExporter)) << kNodeExporter << " is missing; deploy/install-deps.sh installs it";
  // Debian's package patches the default exclude to "^lo$"; upstream 1.5 (and buildfarm) exclude nothing.
  RunningProgram node_exporter = StartOnPortZero({kNodeExporter, "--web.listen-address=127.0.0.1:0",
                                                  "--collector.disable-defaults", "--collector.netdev",
                                                  "--collector.netdev.device-exclude="});
  ASSERT_FALSE(node_exporter.address.empty());
  const std::string node_address = node_exporter.address;
  ASSERT_TRUE(Eventually([&] { return HttpGet(node_address, "/metrics", {}, 5).status == 200; }, 20,
                         "node_exporter serving /metrics"));
  RunningProgram ours = StartExporter(CollectorFlags({"netdev"}));  // netlink is the default
  ASSERT_FALSE(ours.address.empty());

  PromExposition before_text, our_text, after_text;
  auto before = NetdevSeries(node_address, &before_text);
  auto mine = NetdevSeries(ours.address, &our_text);
  auto after = NetdevSeries(node_address, &after_text);
  ASSERT_FALSE(before.empty());

  // The same families with the same HELP and TYPE, the same series (device sets), in netlink mode
  // including receive_nohandler, which /proc/net/dev does not have.
  std::set<std::string> their_keys, our_keys, families;
  for (const auto& [key, sample] : before) {
    their_keys.insert(key);
    families.insert(sample.name);
  }
  for (const auto& [key, sample] : mine) our_keys.insert(key);
  EXPECT_EQ(our_keys, their_keys);
  EXPECT_TRUE(families.count("node_network_receive_nohandler_total"));
  for (const auto& family : families) {
    EXPECT_EQ(our_text.help[family], before_text.help[family]) << family;
    EXPECT_EQ(our_text.type[family], before_text.type[family]) << family;
  }

  int exact = 0;
  for (const auto& [key, first] : before) {
    auto ours_it = mine.find(key);
    auto last_it = after.find(key);
    if (ours_it == mine.end() || last_it == after.end()) continue;
    double value = ours_it->second.value;
    EXPECT_GE(value, first.value) << key << " went below node_exporter's earlier scrape";
    EXPECT_LE(value, last_it->second.value) << key << " went above node_exporter's later scrape";
    if (first.value == last_it->second.value) ++exact;
  }
  // lo's error and drop counters at least stay put, so some series were compared exactly.
  EXPECT_GT(exact, 0);
  std::cout << "[netdev netlink] " << before.size() << " series, " << exact << " compared exactly\n";
}

}  // namespace
}  // namespace buildfarm::testing
