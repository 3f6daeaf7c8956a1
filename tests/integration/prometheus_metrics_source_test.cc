// PrometheusMetricsSource against real Prometheus (Debian's /usr/bin/prometheus, 1 s scrape and rule
// evaluation, loading alerting/rules/recording.yml) scraping two real buildfarm-exporter processes on
// the fixture tree, labelled node1 and node2. Once the recording rules produce data, one refresh must
// hold both nodes with the values the exporters serve and sample ages of a few seconds.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "scheduler/metrics_source/prometheus_source.h"
#include "tests/integration/exporter_harness.h"
#include "tests/support/prom_text.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

using scheduler::MetricsSnapshot;
using scheduler::NodeMetrics;

constexpr char kPrometheus[] = "/usr/bin/prometheus";

struct ServedValues {
  double memory_available = 0;
  double root_fs_available = 0;
  double max_temperature = -1e9;
};

ServedValues ReadServed(const std::string& exporter_address) {
  ServedValues out;
  HttpReply reply = HttpGet(exporter_address, "/metrics");
  EXPECT_EQ(reply.status, 200);
  std::string error;
  auto parsed = ParsePromText(reply.body, &error);
  EXPECT_TRUE(parsed) << error;
  if (!parsed) return out;
  for (const PromSample& sample : parsed->samples) {
    if (sample.name == "node_memory_MemAvailable_bytes") out.memory_available = sample.value;
    if (sample.name == "node_filesystem_avail_bytes" && sample.Label("mountpoint") == "/") {
      out.root_fs_available = sample.value;
    }
    if (sample.name == "node_hwmon_temp_celsius" || sample.name == "node_thermal_zone_temp") {
      out.max_temperature = std::max(out.max_temperature, sample.value);
    }
  }
  return out;
}

TEST(PrometheusMetricsSourceIntegration, SnapshotHoldsRealExporterValues) {
  ASSERT_TRUE(HaveProgram(kPrometheus)) << "prometheus is missing; deploy/install-deps.sh installs it";
  TempDir dir;
  // Prometheus starts first, on port 0, with no targets: the exporters must know its port before they
  // start, and its scrape targets are theirs, so the real configuration follows by a reload (SIGHUP).
  const std::string config = dir.WriteFile("prometheus.yml", "global:\n  scrape_interval: 1s\n");
  RunningProgram prometheus = StartOnPortZero({kPrometheus, "--config.file=" + config,
                                               "--storage.tsdb.path=" + dir.MakeDir("data"),
                                               "--web.listen-address=127.0.0.1:0"});
  ASSERT_FALSE(prometheus.address.empty());
  const std::string& prometheus_address = prometheus.address;
  // Each exporter probes Prometheus' own port over TCP, so the probe RTT rule has data once it is up.
  std::string exporter_config = dir.WriteFile(
      "exporter.yml", "probes:\n  interval: 1s\n  timeout: 1s\n  targets:\n"
                      "    - {name: prometheus, kind: tcp, address: \"" + prometheus_address + "\"}\n");
  std::vector<std::string> args = FixturePathFlags();
  for (const char* collector : {"cpu", "meminfo", "filesystem", "hwmon", "thermal_zone", "latency"}) {
    args.push_back(std::string("--collector.") + collector);
  }
  args.insert(args.begin(), "--collector.disable-defaults");
  args.push_back("--config.file=" + exporter_config);
  RunningProgram node1 = StartExporter(args);
  RunningProgram node2 = StartExporter(args);
  ASSERT_FALSE(node1.address.empty());
  ASSERT_FALSE(node2.address.empty());

  dir.WriteFile(
      "prometheus.yml",
      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      "rule_files:\n  - " + SourcePath("alerting/rules/recording.yml") + "\n"
      "scrape_configs:\n  - job_name: buildfarm-exporter\n    static_configs:\n"
      "      - targets: ['" + node1.address + "']\n        labels: {node: node1}\n"
      "      - targets: ['" + node2.address + "']\n        labels: {node: node2}\n");
  ASSERT_EQ(kill(prometheus.process->pid(), SIGHUP), 0);

  scheduler::PrometheusSourceOptions options;
  options.url = "http://" + prometheus_address;
  scheduler::PrometheusMetricsSource source(options, Logger(LogLevel::kError));

  std::shared_ptr<const MetricsSnapshot> snapshot;
  const bool ready = Eventually(
      [&] {
        if (!source.RefreshOnce().ok()) return false;
        snapshot = source.Latest();
        if (snapshot->nodes.size() != 2) return false;
        for (const auto& [name, metrics] : snapshot->nodes) {
          if (!metrics.probe_rtt_seconds.count("prometheus") || !metrics.max_temperature_celsius) return false;
        }
        return true;
      },
      90, "both nodes' recording rules (with probe RTT and temperature) in the snapshot");
  ASSERT_TRUE(ready) << "last error: "
                     << source.Latest()->last_error << "\nPrometheus log:\n" << prometheus.process->Log();
  ASSERT_TRUE(snapshot->last_attempt_ok);

  const std::pair<std::string, const RunningProgram*> nodes[] = {{"node1", &node1}, {"node2", &node2}};
  for (const auto& [name, exporter] : nodes) {
    SCOPED_TRACE(name);
    const ServedValues served = ReadServed(exporter->address);
    const NodeMetrics& metrics = snapshot->nodes.at(name);
    ASSERT_GT(served.memory_available, 0);
    EXPECT_EQ(metrics.memory_available_bytes, static_cast<std::int64_t>(served.memory_available));
    // The fixture's MemAvailable (kB in /proc/meminfo).
    EXPECT_EQ(metrics.memory_available_bytes, 20456789LL * 1024);
    // Statfs of the real disk under the fixture rootfs moves a little between scrapes.
    EXPECT_NEAR(static_cast<double>(metrics.build_fs_available_bytes), served.root_fs_available,
                0.01 * std::max(1.0, served.root_fs_available));
    // The fixture CPU counters never move: the idle rate is 0, so the rule reads fully busy.
    EXPECT_DOUBLE_EQ(metrics.cpu_utilisation, 1.0);
    EXPECT_DOUBLE_EQ(*metrics.max_temperature_celsius, served.max_temperature);
    const double rtt = metrics.probe_rtt_seconds.at("prometheus");
    EXPECT_GT(rtt, 0);
    EXPECT_LT(rtt, 1);
    const double age = scheduler::SecondsBetween(metrics.sample_time, snapshot->fetched_at);
    std::cout << "[snapshot] " << name << " cpu=" << metrics.cpu_utilisation
              << " mem=" << metrics.memory_available_bytes << " fs=" << metrics.build_fs_available_bytes
              << " temp=" << *metrics.max_temperature_celsius << " rtt=" << rtt << " age=" << age << "s\n";
    EXPECT_GT(age, 0) << "sample_time must be the recorded sample's time, before the query";
    EXPECT_LT(age, 15);
  }
}

}  // namespace
}  // namespace buildfarm::testing
