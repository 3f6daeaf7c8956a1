// Real Prometheus (Debian's /usr/bin/prometheus) scrapes buildfarm-exporter every second on loopback;
// values read back through its HTTP API must equal what the exporter serves on the fixture tree.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "tests/integration/exporter_harness.h"
#include "tests/support/prom_text.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

constexpr char kPrometheus[] = "/usr/bin/prometheus";

// Labels Prometheus attaches to every scraped series.
bool IsTargetLabel(const std::string& name) {
  return name == "__name__" || name == "job" || name == "instance" || name == "node";
}

// Instant query; maps each result's exporter-side key (name plus the exporter's own labels) to its
// value. Empty on any error.
std::map<std::string, double> Query(const std::string& address, const std::string& metric) {
  HttpReply reply = HttpGet(address, "/api/v1/query?query=" + metric, {}, 10);
  std::map<std::string, double> out;
  if (reply.status != 200) return out;
  auto doc = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || doc.value("status", "") != "success") return out;
  for (const auto& result : doc["data"]["result"]) {
    PromSample sample;
    sample.name = metric;
    for (const auto& [label, value] : result["metric"].items()) {
      if (!IsTargetLabel(label)) sample.labels.emplace_back(label, value.get<std::string>());
    }
    std::sort(sample.labels.begin(), sample.labels.end());
    out[sample.Key()] = std::strtod(result["value"][1].get<std::string>().c_str(), nullptr);
  }
  return out;
}

TEST(PrometheusScrape, ValuesReadBackEqualExporterOutput) {
  ASSERT_TRUE(HaveProgram(kPrometheus)) << "prometheus is missing; deploy/install-deps.sh installs it";
  std::vector<std::string> args = FixturePathFlags();
  for (const auto& flag : CollectorFlags(KnownCollectors())) args.push_back(flag);
  // Values must not move between scrapes: netdev reads the fixture's /proc/net/dev, not live netlink.
  args.push_back("--no-collector.netdev.netlink");
  RunningProgram exporter = StartExporter(args);
  ASSERT_FALSE(exporter.address.empty());

  TempDir dir;
  std::string config = dir.WriteFile("prometheus.yml",
                                     "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                     "scrape_configs:\n  - job_name: buildfarm-exporter\n"
                                     "    static_configs:\n      - targets: ['" + exporter.address + "']\n"
                                     "        labels: {node: test-node}\n");
  RunningProgram prometheus = StartOnPortZero({kPrometheus, "--config.file=" + config,
                                               "--storage.tsdb.path=" + dir.MakeDir("data"),
                                               "--web.listen-address=127.0.0.1:0"});
  ASSERT_FALSE(prometheus.address.empty());
  const std::string& prometheus_address = prometheus.address;
  ASSERT_TRUE(Eventually(
      [&] {
        auto up = Query(prometheus_address, "up");
        return up.size() == 1 && up.begin()->second == 1;
      },
      60, "Prometheus reporting the exporter up"))
      << "log:\n" << prometheus.process->Log();

  HttpReply served = HttpGet(exporter.address, "/metrics");
  ASSERT_EQ(served.status, 200);
  std::string error;
  auto parsed = ParsePromText(served.body, &error);
  ASSERT_TRUE(parsed) << error;
  auto exporter_series = parsed->ByKey();

  // node_load1 always (loadavg is the first collector); the others as soon as the exporter has them.
  std::vector<std::string> metrics{"node_load1"};
  for (const char* name : {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_filesystem_avail_bytes"}) {
    if (parsed->type.count(name)) metrics.push_back(name);
  }
  std::cout << "[prometheus] checking " << metrics.size() << " metrics\n";
  for (const auto& metric : metrics) {
    auto observed = EventuallyValue([&] { return Query(prometheus_address, metric); },
                                    [](const std::map<std::string, double>& found) { return !found.empty(); }, 30,
                                    metric + " in Prometheus");
    ASSERT_TRUE(observed.result);
    const std::map<std::string, double>& stored = observed.value;
    for (const auto& [key, value] : stored) {
      auto it = exporter_series.find(key);
      ASSERT_NE(it, exporter_series.end()) << "Prometheus has " << key << " but the exporter does not serve it";
      if (metric == "node_filesystem_avail_bytes") {
        // Free space on the disk under the fixture rootfs moves between scrapes.
        EXPECT_NEAR(value, it->second.value, 0.01 * std::max(1.0, it->second.value)) << key;
      } else {
        EXPECT_EQ(value, it->second.value) << key;
      }
    }
    size_t served_count = 0;
    for (const auto& sample : parsed->samples) served_count += sample.name == metric;
    EXPECT_EQ(stored.size(), served_count) << metric;
  }
}

}  // namespace
}  // namespace buildfarm::testing
