#include "exporter/collectors/selinux.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(SelinuxConfigMode, ReadsTheFirstSelinuxLine) {
  const std::pair<const char*, int> cases[] = {
      {"SELINUX=enforcing\n", 1},
      {"# comment\n; other\n  SELINUX=\"permissive\"  \nSELINUX=enforcing\n", 0},
      {"SELINUX=disabled\n", -1},
      {"SELINUXTYPE=targeted\n", -1},
      {"SELINUX = enforcing\n", -1},  // go-selinux compares the key exactly
      {"SELINUX=Enforcing\n", -1},
      {"", -1},
      {"SELINUX\n", -1},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(SelinuxConfigMode(text), want) << text;
  EXPECT_EQ(SelinuxConfigMode(std::string(1 << 20, '=')), -1);
}

TEST(SelinuxEnforceMode, AtoiOfTheRawFile) {
  const std::pair<const char*, int> cases[] = {{"1", 1},  {"0", 0},    {"1\n", -1},        {"", -1},
                                               {"x", -1}, {"+-1", -1}, {"99999999999", -1}};
  for (const auto& [text, want] : cases) EXPECT_EQ(SelinuxEnforceMode(text), want) << text;
}

TEST(SelinuxCollector, WithoutSelinuxfsServesEnabledZero) {
  auto families = CollectFromFixtures(MakeSelinuxSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_selinux_enabled", {}), 0);
}

TEST(SelinuxCollector, EnabledServesBothModes) {
  testing::TempDir dir;
  dir.WriteFile("sys/fs/selinux/enforce", "0");
  dir.WriteFile("rootfs/etc/selinux/config", "SELINUX=enforcing\n");
  dir.WriteFile("proc/self/attr/current", std::string("system_u:system_r:node_exporter_t:s0\0", 38));
  auto families = CollectFrom(MakeSelinuxSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_selinux_enabled", {}), 1);
  EXPECT_EQ(SampleValue(*families, "node_selinux_config_mode", {}), 1);
  EXPECT_EQ(SampleValue(*families, "node_selinux_current_mode", {}), 0);

  dir.WriteFile("proc/self/attr/current", std::string("kernel\0", 7));  // selinuxfs mounted, policy not loaded
  auto kernel = CollectFrom(MakeSelinuxSpec(), HostPathsIn(dir));
  ASSERT_TRUE(kernel.ok());
  EXPECT_EQ(SampleValue(*kernel, "node_selinux_enabled", {}), 0);
  EXPECT_EQ(kernel->size(), 1u);
}

}  // namespace
}  // namespace buildfarm::exporter
