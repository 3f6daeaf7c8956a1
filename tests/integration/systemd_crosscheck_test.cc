// The systemd collector next to Debian's node_exporter 1.5, both reading the same fake
// org.freedesktop.systemd1 on a private dbus-daemon (tests/support/fake_systemd.h) through
// DBUS_SYSTEM_BUS_ADDRESS: node_exporter's go-systemd and our sd-bus must produce the same
// node_systemd_* series, values, HELP and TYPE. This machine's systemd is not PID 1, so a real
// system bus is not available to compare on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/exporter_harness.h"
#include "tests/support/fake_systemd.h"
#include "tests/support/prom_text.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

constexpr char kNodeExporter[] = "prometheus-node-exporter";

PromExposition ScrapeText(const std::string& address) {
  HttpReply reply = HttpGet(address, "/metrics");
  EXPECT_EQ(reply.status, 200) << address;
  std::string error;
  auto parsed = ParsePromText(reply.body, &error);
  EXPECT_TRUE(parsed) << error;
  return parsed ? *parsed : PromExposition{};
}

std::map<std::string, PromSample> SystemdSeries(const PromExposition& exposition) {
  std::map<std::string, PromSample> out;
  for (const auto& [key, sample] : exposition.ByKey()) {
    if (sample.name.rfind("node_systemd_", 0) == 0) out.emplace(key, sample);
  }
  return out;
}

TEST(SystemdCrossCheck, FakeSystemdReadsTheSameAsNodeExporter) {
  ASSERT_TRUE(HaveProgram(kNodeExporter)) << kNodeExporter << " is missing; deploy/install-deps.sh installs it";
  TempDir dir;
  PrivateBus bus(dir);
  ASSERT_TRUE(bus.ok()) << bus.Log();
  const FakeSystemd fake = SmallSystemdHost();
  FakeSystemdService service(bus.address(), &fake);
  ASSERT_TRUE(service.ok()) << service.error();
  // Both exporters inherit it; sd-bus and godbus both take the system bus from it.
  setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address().c_str(), 1);

  // Debian's package adds "target" to the default unit-exclude; upstream 1.5's default is given.
  const std::vector<std::string> flags = {"--collector.systemd.enable-task-metrics",
                                          "--collector.systemd.enable-restarts-metrics",
                                          "--collector.systemd.enable-start-time-metrics",
                                          "--collector.systemd.unit-exclude=.+\\.(automount|device|mount|scope|slice)"};
  std::vector<std::string> node_args = {kNodeExporter, "--web.listen-address=127.0.0.1:0",
                                        "--collector.disable-defaults", "--collector.systemd"};
  node_args.insert(node_args.end(), flags.begin(), flags.end());
  RunningProgram node_exporter = StartOnPortZero(node_args);
  ASSERT_FALSE(node_exporter.address.empty());
  const std::string node_address = node_exporter.address;
  ASSERT_TRUE(Eventually([&] { return HttpGet(node_address, "/metrics", {}, 5).status == 200; }, 20,
                         "node_exporter serving /metrics"));
  std::vector<std::string> our_args = CollectorFlags({"systemd"});
  our_args.insert(our_args.end(), flags.begin(), flags.end());
  RunningProgram ours = StartExporter(our_args);
  unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  ASSERT_FALSE(ours.address.empty());

  PromExposition their_text = ScrapeText(node_address);
  PromExposition our_text = ScrapeText(ours.address);
  auto theirs = SystemdSeries(their_text);
  auto mine = SystemdSeries(our_text);
  ASSERT_FALSE(theirs.empty()) << "node_exporter read nothing from the fake systemd:\n" << node_exporter.process->Log();

  std::set<std::string> families;
  for (const auto& [key, sample] : theirs) {
    families.insert(sample.name);
    auto it = mine.find(key);
    if (it == mine.end()) {
      ADD_FAILURE() << "buildfarm-exporter lacks " << key << " " << sample.value_text;
      continue;
    }
    EXPECT_EQ(it->second.value, sample.value) << key;
  }
  for (const auto& [key, sample] : mine) EXPECT_TRUE(theirs.count(key)) << "node_exporter lacks " << key;
  for (const auto& family : families) {
    EXPECT_EQ(our_text.help[family], their_text.help[family]) << family;
    EXPECT_EQ(our_text.type[family], their_text.type[family]) << family;
  }
  for (const auto* text : {&their_text, &our_text}) {
    auto series = text->ByKey();
    auto success = series.find("node_scrape_collector_success{collector=\"systemd\"}");
    ASSERT_NE(success, series.end());
    EXPECT_EQ(success->second.value, 1);
  }
  std::cout << "[systemd cross-check] " << theirs.size() << " series in " << families.size() << " families\n";
}

}  // namespace
}  // namespace buildfarm::testing
