#include "exporter/collectors/nvme.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(NvmeCollector, ExportsFixtureControllers) {
  auto families = CollectFromFixtures(MakeNvmeSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_nvme_info",
                        {{"device", "nvme0"},
                         {"firmware_revision", "2B2QEXM7"},
                         {"model", "Samsung SSD 970 EVO Plus 1TB"},
                         {"serial", "S4EWNX0R123456"},
                         {"state", "live"}}),
            1);
}

void WriteController(const testing::TempDir& dir, const std::string& name, const std::string& serial) {
  dir.WriteFile("sys/class/nvme/" + name + "/firmware_rev", "f\n");
  dir.WriteFile("sys/class/nvme/" + name + "/model", " m \n");
  dir.WriteFile("sys/class/nvme/" + name + "/serial", serial);
  dir.WriteFile("sys/class/nvme/" + name + "/state", "live\n");
}

TEST(NvmeCollector, TrimsAndRepairsLabels) {
  testing::TempDir dir;
  WriteController(dir, "nvme1",
                  "a\xff"
                  "b\n");  // node_exporter 1.5 panics here
  auto families = CollectFrom(MakeNvmeSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_nvme_info",
                        {{"device", "nvme1"},
                         {"firmware_revision", "f"},
                         {"model", "m"},
                         {"serial",
                          "a\xEF\xBF\xBD"
                          "b"},
                         {"state", "live"}}),
            1);
}

TEST(NvmeCollector, MissingAttributeOrClassIsNoDataAndARegularFileAnError) {
  testing::TempDir dir;
  WriteController(dir, "nvme0", "s\n");
  std::remove(dir.Join("sys/class/nvme/nvme0/state").c_str());  // the controller is there, its state is not
  auto partial = CollectFrom(MakeNvmeSpec(), HostPathsIn(dir));
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.status().code(), StatusCode::kNotFound);

  testing::TempDir removed;
  WriteController(removed, "nvme0", "s\n");
  removed.Symlink(removed.Join("sys/devices/gone/nvme1"), "sys/class/nvme/nvme1");  // removed mid-scrape
  auto skipped = CollectFrom(MakeNvmeSpec(), HostPathsIn(removed));
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_EQ(FindFamily(*skipped, "node_nvme_info")->metric.size(), 1u);

  testing::TempDir stray;
  WriteController(stray, "nvme0", "s\n");
  stray.WriteFile("sys/class/nvme/regular", "x");
  auto not_dir = CollectFrom(MakeNvmeSpec(), HostPathsIn(stray));
  ASSERT_FALSE(not_dir.ok());
  EXPECT_NE(not_dir.status().code(), StatusCode::kNotFound);

  testing::TempDir none;
  none.MakeDir("sys");
  auto missing = CollectFrom(MakeNvmeSpec(), HostPathsIn(none));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace buildfarm::exporter
