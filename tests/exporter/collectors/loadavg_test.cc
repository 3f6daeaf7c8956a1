#include "exporter/collectors/loadavg.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseLoadavg, ReadsTheThreeAverages) {
  auto load = ParseLoadavg("0.52 0.58 0.59 1/1032 12345\n");
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  EXPECT_DOUBLE_EQ(load->load1, 0.52);
  EXPECT_DOUBLE_EQ(load->load5, 0.58);
  EXPECT_DOUBLE_EQ(load->load15, 0.59);
}

TEST(ParseLoadavg, RejectsBadInput) {
  for (const char* bad : {"", "\n", "0.1 0.2", "0.1 x 0.3 1/2 3", "nan? 1 2"}) {
    EXPECT_FALSE(ParseLoadavg(bad).ok()) << "input: " << bad;
  }
}

TEST(LoadavgCollector, ExportsFixtureValues) {
  auto families = CollectFromFixtures(MakeLoadavgSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_load1", {}), 0.52);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_load15", {}), 0.59);
}

TEST(LoadavgCollector, FailsOnGarbledFile) {
  testing::TempDir dir;
  dir.WriteFile("proc/loadavg", "garbage");
  auto families = CollectFrom(MakeLoadavgSpec(), HostPathsIn(dir));
  EXPECT_FALSE(families.ok());
}

}  // namespace
}  // namespace buildfarm::exporter
