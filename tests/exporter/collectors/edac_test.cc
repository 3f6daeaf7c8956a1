#include "exporter/collectors/edac.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(EdacIndexLabel, TakesTheDigitsAfterThePrefix) {
  EXPECT_EQ(EdacIndexLabel("mc0", "mc"), "0");
  EXPECT_EQ(EdacIndexLabel("mc12", "mc"), "12");
  EXPECT_EQ(EdacIndexLabel("mc3x", "mc"), "3");
  EXPECT_EQ(EdacIndexLabel("csrow7", "csrow"), "7");
  EXPECT_EQ(EdacIndexLabel("mc", "mc"), "");
  EXPECT_EQ(EdacIndexLabel("m", "mc"), "");
}

TEST(EdacCollector, ExportsFixtureControllers) {
  auto families = CollectFromFixtures(MakeEdacSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto& f = *families;
  EXPECT_EQ(SampleValue(f, "node_edac_correctable_errors_total", {{"controller", "0"}}), 3);
  EXPECT_EQ(SampleValue(f, "node_edac_uncorrectable_errors_total", {{"controller", "0"}}), 1);
  EXPECT_EQ(SampleValue(f, "node_edac_csrow_correctable_errors_total", {{"controller", "0"}, {"csrow", "unknown"}}), 2);
  EXPECT_EQ(SampleValue(f, "node_edac_csrow_correctable_errors_total", {{"controller", "1"}, {"csrow", "0"}}), 7);
  EXPECT_EQ(SampleValue(f, "node_edac_csrow_uncorrectable_errors_total", {{"controller", "0"}, {"csrow", "1"}}), 1);
  EXPECT_EQ(FindFamily(f, "node_edac_csrow_correctable_errors_total")->metric.size(), 5u);
  EXPECT_EQ(FindFamily(f, "node_edac_correctable_errors_total")->type, prometheus::MetricType::Counter);
}

TEST(EdacCollector, EveryCountFileIsRequired) {
  const std::pair<const char*, const char*> broken[] = {
      {"mc0/ce_count", nullptr}, {"mc0/ue_noinfo_count", nullptr}, {"mc0/csrow0/ue_count", nullptr},
      {"mc0/ce_count", "-1\n"},  {"mc0/ue_count", "0x1\n"},        {"mc0/csrow0/ce_count", "lots\n"}};
  for (const auto& [file, contents] : broken) {
    SCOPED_TRACE(file);
    testing::TempDir dir;
    for (const char* name : {"mc0/ce_count", "mc0/ue_count", "mc0/ce_noinfo_count", "mc0/ue_noinfo_count",
                             "mc0/csrow0/ce_count", "mc0/csrow0/ue_count"}) {
      if (std::string(name) == file && contents == nullptr) continue;
      dir.WriteFile(std::string("sys/devices/system/edac/mc/") + name, std::string(name) == file ? contents : " 4 \n");
    }
    EXPECT_FALSE(CollectFrom(MakeEdacSpec(), HostPathsIn(dir)).ok());
  }
}

TEST(EdacCollector, NoEdacServesNothing) {
  testing::TempDir dir;
  dir.MakeDir("sys/devices/system/edac/mc/power");  // not a controller
  auto families = CollectFrom(MakeEdacSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok());
  EXPECT_TRUE(families->empty());
}

}  // namespace
}  // namespace buildfarm::exporter
