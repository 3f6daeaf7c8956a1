// End-to-end: the built buildfarm-exporter over the fixture tree, checked over HTTP.
//
// - /metrics: Content-Type, gzip, promtool's linter, and a golden file of the normalised output
//   (volatile values masked, probe series dropped). Regenerate the golden file with
//   BUILDFARM_UPDATE_GOLDEN=1 ctest -R ExporterE2E.
// - /, /healthz, and 404 for anything else.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/exporter_harness.h"
#include "tests/support/prom_text.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kGoldenFile[] = "tests/fixtures/golden/metrics.prom";
constexpr char kMasked[] = "<volatile>";

// Series whose values move between runs: their names and labels stay in the golden file, the
// value is masked.
bool HasVolatileValue(const std::string& name) {
  static const std::set<std::string> kNames = {
      "node_scrape_collector_duration_seconds", "node_time_seconds",
      "node_filesystem_size_bytes",             "node_filesystem_free_bytes",
      "node_filesystem_avail_bytes",            "node_filesystem_files",
      "node_filesystem_files_free",
  };
  // The exporter's own process and the live kernel clock (adjtimex) are not part of the fixture tree.
  return kNames.count(name) > 0 || name.rfind("process_", 0) == 0 || name.rfind("node_timex_", 0) == 0;
}

// Latency probes depend on the network; their series are left out entirely.
bool IsDropped(const std::string& name) { return name.rfind("buildfarm_probe_", 0) == 0; }

// Labels whose values change with every commit, or with the machine the test runs on, or name the
// checkout's absolute location (the rapl collector's path label is the zone's directory under
// --path.sysfs, as in node_exporter).
bool HasVolatileLabel(const std::string& name, const std::string& label) {
  if (name == "buildfarm_exporter_build_info") return label == "revision";
  if (name == "node_exporter_build_info") return label == "revision" || label == "branch" || label == "goarch";
  if (name.rfind("node_rapl_", 0) == 0 && label == "path") return true;
  // uname(2) describes the machine the test runs on, not the fixture tree; sysname stays (Linux).
  return name == "node_uname_info" && label != "sysname";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The family a sample belongs to, for histogram and summary series.
std::string FamilyOf(const PromExposition& exposition, const std::string& sample_name) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (sample_name.size() > s.size() && sample_name.compare(sample_name.size() - s.size(), s.size(), s) == 0) {
      std::string base = sample_name.substr(0, sample_name.size() - s.size());
      if (exposition.type.count(base)) return base;
    }
  }
  return sample_name;
}

// Canonical text: families sorted by name, each with HELP, TYPE and its samples sorted.
std::string Normalise(const PromExposition& exposition) {
  std::map<std::string, std::vector<std::string>> families;
  for (const auto& [name, type] : exposition.type) families[name];
  for (const auto& sample : exposition.samples) {
    if (IsDropped(sample.name)) continue;
    PromSample masked = sample;
    for (auto& [label, value] : masked.labels) {
      if (HasVolatileLabel(sample.name, label)) value = kMasked;
    }
    std::string value = HasVolatileValue(sample.name) ? kMasked : sample.value_text;
    families[FamilyOf(exposition, sample.name)].push_back(masked.Key() + " " + value);
  }
  std::string out;
  for (auto& [name, lines] : families) {
    if (IsDropped(name)) continue;
    std::sort(lines.begin(), lines.end());
    auto help = exposition.help.find(name);
    auto type = exposition.type.find(name);
    if (help != exposition.help.end()) out += "# HELP " + name + " " + help->second + "\n";
    if (type != exposition.type.end()) out += "# TYPE " + name + " " + type->second + "\n";
    for (const auto& line : lines) out += line + "\n";
  }
  return out;
}

// Every collector that reads the fixture tree: all the binary knows but systemd, which reads D-Bus
// (its round trip against a fake systemd is tests/exporter/collectors/systemd_dbus_test.cc).
std::set<std::string> FixtureCollectors() {
  std::set<std::string> collectors = KnownCollectors();
  collectors.erase("systemd");
  return collectors;
}

// FixtureCollectors(), on the fixture tree.
RunningProgram StartOnFixtures() {
  // The time collector's zone label follows TZ; pin it so the golden file is the same everywhere.
  setenv("TZ", "UTC", 1);
  std::vector<std::string> args = FixturePathFlags();
  for (auto& flag : CollectorFlags(FixtureCollectors())) args.push_back(flag);
  // netdev reads the live kernel over netlink by default; the fixture tree has /proc/net/dev.
  args.push_back("--no-collector.netdev.netlink");
  return StartExporter(args);
}

TEST(ExporterE2E, MetricsMatchGoldenFile) {
  RunningProgram exporter = StartOnFixtures();
  ASSERT_FALSE(exporter.address.empty());
  HttpReply reply = HttpGet(exporter.address, "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("Content-Type"), kContentType);

  std::string error;
  auto parsed = ParsePromText(reply.body, &error);
  ASSERT_TRUE(parsed) << error;
  std::string actual = Normalise(*parsed);

  const std::string golden_path = SourcePath(kGoldenFile);
  if (const char* update = std::getenv("BUILDFARM_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(golden_path) << actual;
    GTEST_SKIP() << "rewrote " << golden_path;
  }
  std::string golden = ReadFile(golden_path);
  ASSERT_FALSE(golden.empty()) << golden_path << " is missing; create it with BUILDFARM_UPDATE_GOLDEN=1";
  if (actual != golden) {
    TempDir dir;
    std::string actual_path = dir.WriteFile("metrics.prom", actual);
    std::string diff;
    RunCommand({"diff", "-u", golden_path, actual_path}, &diff, 30);
    ADD_FAILURE() << "/metrics differs from " << kGoldenFile
                  << " (if the change is intended: BUILDFARM_UPDATE_GOLDEN=1 ctest -R ExporterE2E)\n"
                  << diff;
  }
}

TEST(ExporterE2E, EveryCollectorSucceedsOnFixtures) {
  std::set<std::string> collectors = FixtureCollectors();
  RunningProgram exporter = StartOnFixtures();
  ASSERT_FALSE(exporter.address.empty());
  HttpReply reply = HttpGet(exporter.address, "/metrics");
  ASSERT_EQ(reply.status, 200);
  std::string error;
  auto parsed = ParsePromText(reply.body, &error);
  ASSERT_TRUE(parsed) << error;
  std::set<std::string> reported;
  for (const auto& sample : parsed->samples) {
    if (sample.name != "node_scrape_collector_success") continue;
    reported.insert(sample.Label("collector"));
    EXPECT_EQ(sample.value, 1) << "collector " << sample.Label("collector") << " failed on the fixtures";
  }
  EXPECT_EQ(reported, collectors);
}

TEST(ExporterE2E, GzipWhenAsked) {
  // The two scrapes cross lo; netlink would show its counters move, the fixture's do not.
  std::vector<std::string> args = FixturePathFlags();
  args.push_back("--no-collector.netdev.netlink");
  RunningProgram exporter = StartExporter(args);
  ASSERT_FALSE(exporter.address.empty());
  HttpReply plain = HttpGet(exporter.address, "/metrics");
  HttpReply zipped = HttpGet(exporter.address, "/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(plain.status, 200);
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(zipped.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.Header("Content-Type"), kContentType);
  std::string decoded;
  ASSERT_TRUE(Gunzip(zipped.body, &decoded)) << "body is not gzip";
  // Two scrapes differ only in volatile values; compare the normalised forms.
  std::string error;
  auto a = ParsePromText(plain.body, &error);
  ASSERT_TRUE(a) << error;
  auto b = ParsePromText(decoded, &error);
  ASSERT_TRUE(b) << error;
  EXPECT_EQ(Normalise(*a), Normalise(*b));
}

TEST(ExporterE2E, LandingHealthAndNotFound) {
  RunningProgram exporter = StartExporter(FixturePathFlags());
  ASSERT_FALSE(exporter.address.empty());
  HttpReply landing = HttpGet(exporter.address, "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_NE(landing.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(landing.body.find("href=\"/metrics\""), std::string::npos) << landing.body;

  HttpReply health = HttpGet(exporter.address, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");

  for (const char* path : {"/nope", "/metrics/extra", "/favicon.ico"}) {
    EXPECT_EQ(HttpGet(exporter.address, path).status, 404) << path;
  }
}

TEST(ExporterE2E, TelemetryPathFlagMovesMetrics) {
  std::vector<std::string> args = FixturePathFlags();
  args.push_back("--web.telemetry-path=/custom");
  RunningProgram exporter = StartExporter(args);
  ASSERT_FALSE(exporter.address.empty());
  HttpReply moved = HttpGet(exporter.address, "/custom");
  EXPECT_EQ(moved.status, 200);
  EXPECT_NE(moved.body.find("node_scrape_collector_success"), std::string::npos);
  EXPECT_EQ(HttpGet(exporter.address, "/metrics").status, 404);
}

// promtool's linter objects to some names that node_exporter 1.5 itself exposes; parity wins for
// those. Each entry is a metric-name prefix and the lint message it may draw.
bool IsParityExemptLint(const std::string& problem) {
  static const std::vector<std::pair<std::string, std::string>> kExempt = {
      // /proc/meminfo field names, kept as node_exporter writes them (node_memory_MemAvailable_bytes).
      {"node_memory_", "metric names should be written in 'snake_case' not 'camelCase'"},
      // /proc/net/{netstat,snmp,snmp6} protocol and counter names (node_netstat_Tcp_InSegs), likewise.
      {"node_netstat_", "metric names should be written in 'snake_case' not 'camelCase'"},
      // Entropy is counted in bits, and node_exporter names it so (node_entropy_available_bits).
      {"node_entropy_", "use base unit \"bytes\" instead of \"bits\""},
  };
  for (const auto& [prefix, message] : kExempt) {
    if (problem.rfind(prefix, 0) == 0 && problem.find(message) != std::string::npos) return true;
  }
  return false;
}

TEST(ExporterE2E, PromtoolAcceptsOutput) {
  ASSERT_TRUE(HaveProgram("promtool")) << "promtool is missing; deploy/install-deps.sh installs it";
  RunningProgram exporter = StartOnFixtures();
  ASSERT_FALSE(exporter.address.empty());
  HttpReply reply = HttpGet(exporter.address, "/metrics");
  ASSERT_EQ(reply.status, 200);
  TempDir dir;
  std::string path = dir.WriteFile("metrics.prom", reply.body);
  std::string output;
  int code = RunCommand({"sh", "-c", "promtool check metrics < '" + path + "'"}, &output, 60);
  // 0: clean; 3: lint problems only (each must be exempt); anything else: the output does not parse.
  ASSERT_TRUE(code == 0 || code == 3) << "promtool check metrics exited " << code << ":\n" << output;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) EXPECT_TRUE(IsParityExemptLint(line)) << "promtool: " << line;
  }
}

}  // namespace
}  // namespace buildfarm::testing
