#include "exporter/collectors/dmi.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(DmiLabels, MapsFileNamesToNodeExporterLabels) {
  auto labels =
      DmiLabels({{"sys_vendor", "Supermicro"}, {"chassis_type", "17"}, {"modalias", "dmi:x"}, {"bios_date", ""}});
  EXPECT_EQ(labels, (std::map<std::string, std::string>{{"system_vendor", "Supermicro"}, {"bios_date", ""}}));
}

TEST(DmiCollector, ExportsFixtureInfo) {
  auto families = CollectFromFixtures(MakeDmiSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const auto* family = FindFamily(*families, "node_dmi_info");
  ASSERT_NE(family, nullptr);
  ASSERT_EQ(family->metric.size(), 1u);
  LabelMap labels;
  for (const auto& label : family->metric[0].label) labels[label.name] = label.value;
  EXPECT_EQ(labels.size(), 20u);
  EXPECT_EQ(labels["system_vendor"], "Supermicro");
  EXPECT_EQ(labels["bios_vendor"], "American Megatrends International, LLC.");
  EXPECT_EQ(labels["product_uuid"], "8f3c5a2e-1b7d-4e2a-9c10-3f5e6d7a8b9c");
  EXPECT_EQ(labels.count("chassis_type"), 0u);
}

TEST(DmiCollector, PartialDirectoryKeepsWhatIsThere) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/dmi/id/bios_date", "");
  dir.WriteFile("sys/class/dmi/id/board_name",
                "a\xff"
                "b\n");
  dir.WriteFile("sys/class/dmi/id/sys_vendor", "  x  \n");
  dir.MakeDir("sys/class/dmi/id/product_name");                                           // not a file: skipped
  dir.Symlink(dir.Join("sys/class/dmi/id/sys_vendor"), "sys/class/dmi/id/board_vendor");  // symlink: skipped
  auto families = CollectFrom(MakeDmiSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_dmi_info",
                        {{"bios_date", ""},
                         {"board_name",
                          "a\xEF\xBF\xBD"
                          "b"},
                         {"system_vendor", "x"}}),
            1);
}

TEST(DmiCollector, NoDmiIsNoData) {
  testing::TempDir dir;
  dir.MakeDir("sys/class/dmi/id");
  auto empty = CollectFrom(MakeDmiSpec(), HostPathsIn(dir));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
  testing::TempDir none;
  none.MakeDir("sys");
  auto missing = CollectFrom(MakeDmiSpec(), HostPathsIn(none));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace buildfarm::exporter
