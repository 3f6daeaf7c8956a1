#include "exporter/collectors/bonding.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseBondingNames, SplitsLikeGoStringsFields) {
  struct Case {
    const char* name;
    std::string text;
    std::vector<std::string_view> want;
  };
  const Case cases[] = {
      {"empty", "", {}},
      {"newline only", "\n", {}},
      {"one", "bond0\n", {"bond0"}},
      {"mixed blanks", " bond0\tbond1  bond2\n", {"bond0", "bond1", "bond2"}},
      {"unicode space", "eth0\u2003eth1", {"eth0", "eth1"}},
      {"invalid UTF-8 is a name byte", "et\xffh0 eth1", {"et\xffh0", "eth1"}},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseBondingNames(c.text), c.want) << c.name;
  std::string huge;
  for (int i = 0; i < 100000; ++i) huge += "bond" + std::to_string(i) + " ";
  EXPECT_EQ(ParseBondingNames(huge).size(), 100000u);
}

TEST(BondingCollector, CountsSlavesAndActiveSlavesOfTheFixture) {
  auto families = CollectFromFixtures(MakeBondingSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_bonding_slaves", {{"master", "bond0"}}), 2);
  EXPECT_EQ(SampleValue(*families, "node_bonding_active", {{"master", "bond0"}}), 1);  // wlan0's mii_status is down
}

// One bond with the given slaves: name -> mii_status, under lower_ (or slave_ for old kernels).
void WriteBond(const testing::TempDir& dir, const std::string& bond, const std::string& slaves,
               const std::vector<std::tuple<std::string, std::string, std::string>>& states) {
  dir.WriteFile("sys/class/net/" + bond + "/bonding/slaves", slaves);
  for (const auto& [prefix, slave, state] : states) {
    dir.WriteFile("sys/class/net/" + bond + "/" + prefix + slave + "/bonding_slave/mii_status", state);
  }
}

TEST(BondingCollector, EdgeCasesOfTheSysfsTree) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/net/bonding_masters", "bond0 bond1 bond0 gone\n");
  WriteBond(dir, "bond0", "eth0 eth1 eth2 eth3\n",
            {{"lower_", "eth0", "up\n"}, {"slave_", "eth1", "up"}, {"lower_", "eth2", "going back\n"}});
  WriteBond(dir, "bond1", "\n", {});
  auto families = CollectFrom(MakeBondingSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  // eth3 was released after the list was read (no mii_status): not counted. bond0 is listed twice,
  // served once; "gone" was deleted after bonding_masters was read: skipped.
  EXPECT_EQ(SampleValue(*families, "node_bonding_slaves", {{"master", "bond0"}}), 3);
  EXPECT_EQ(SampleValue(*families, "node_bonding_active", {{"master", "bond0"}}), 2);
  EXPECT_EQ(SampleValue(*families, "node_bonding_slaves", {{"master", "bond1"}}), 0);
  EXPECT_EQ(FindFamily(*families, "node_bonding_slaves")->metric.size(), 2u);
  EXPECT_EQ(FindSample(*families, "node_bonding_slaves", {{"master", "gone"}}), nullptr);
}

TEST(BondingCollector, NoBondingDriverIsNoDataAndNoBondsServeNothing) {
  ExpectNotFoundOnEmptyHost(MakeBondingSpec());
  testing::TempDir dir;
  dir.WriteFile("sys/class/net/bonding_masters", "\n");
  auto families = CollectFrom(MakeBondingSpec(), HostPathsIn(dir));
  ASSERT_TRUE(families.ok());
  EXPECT_TRUE(families->empty());
}

TEST(BondingCollector, UnreadableSlaveListIsAnError) {
  testing::TempDir dir;
  dir.WriteFile("sys/class/net/bonding_masters", "bond0\n");
  dir.MakeDir("sys/class/net/bond0/bonding/slaves");  // a directory: read fails with EISDIR
  auto families = CollectFrom(MakeBondingSpec(), HostPathsIn(dir));
  EXPECT_FALSE(families.ok());
}

}  // namespace
}  // namespace buildfarm::exporter
