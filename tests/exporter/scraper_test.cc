#include "exporter/scraper.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

const prometheus::MetricFamily* Find(const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

std::map<std::string, std::string> Labels(const prometheus::ClientMetric& metric) {
  std::map<std::string, std::string> labels;
  for (const auto& label : metric.label) labels[label.name] = label.value;
  return labels;
}

TEST(Scraper, ServesNodeExporterBuildInfoMarkedAsBuildfarm) {
  Logger quiet(LogLevel::kError);
  Scraper scraper({}, BuildInfo{"1.2.3", "abc123", "main"}, quiet);
  auto families = scraper.Collect();
  const auto* info = Find(families, "node_exporter_build_info");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->help,
            "A metric with a constant '1' value labeled by version, revision, branch, goversion from which "
            "node_exporter was built, and the goos and goarch for the build.");
  ASSERT_EQ(info->metric.size(), 1u);
  auto labels = Labels(info->metric[0]);
  EXPECT_EQ(labels["exporter"], "buildfarm-exporter");
  EXPECT_EQ(labels["version"], "1.2.3");
  EXPECT_EQ(labels["revision"], "abc123");
  EXPECT_EQ(labels["branch"], "main");
  EXPECT_EQ(labels["goos"], "linux");
  EXPECT_FALSE(labels["goarch"].empty());
  EXPECT_FALSE(labels["goversion"].empty());
  EXPECT_EQ(info->metric[0].gauge.value, 1);
  // The buildfarm family stays.
  ASSERT_NE(Find(families, "buildfarm_exporter_build_info"), nullptr);
}

TEST(Scraper, ServesProcessMetricsWithoutAnyCollectorUnlessDisabled) {
  Logger quiet(LogLevel::kError);
  Scraper with({}, BuildInfo{"1", "r", "b"}, quiet);
  auto families = with.Collect();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                           "process_virtual_memory_max_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    EXPECT_NE(Find(families, name), nullptr) << name;
  }
  Scraper without({}, BuildInfo{"1", "r", "b"}, quiet, SelfMetricsOptions{.process_metrics = false});
  EXPECT_EQ(Find(without.Collect(), "process_open_fds"), nullptr);
}

}  // namespace
}  // namespace buildfarm::exporter
