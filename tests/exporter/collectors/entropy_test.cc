#include "exporter/collectors/entropy.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseEntropyValue, AcceptsOneUnsignedInteger) {
  EXPECT_EQ(*ParseEntropyValue("256\n"), 256u);
  EXPECT_EQ(*ParseEntropyValue(" 4096 "), 4096u);
  std::string huge(1 << 20, '1');
  for (const std::string& bad : {std::string(""), std::string("\n"), std::string("-1"), std::string("25 6"),
                                 std::string("abc"), huge}) {
    EXPECT_FALSE(ParseEntropyValue(bad).ok()) << bad.substr(0, 40);
  }
}

TEST(EntropyCollector, ExportsFixtureValues) {
  auto families = CollectFromFixtures(MakeEntropySpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_entropy_available_bits", {}), 256);
  EXPECT_EQ(SampleValue(*families, "node_entropy_pool_size_bits", {}), 256);
  EXPECT_EQ(FindFamily(*families, "node_entropy_pool_size_bits")->help, "Bits of entropy pool.");
}

TEST(EntropyCollector, NeedsBothFiles) {
  testing::TempDir dir;
  dir.WriteFile("proc/sys/kernel/random/entropy_avail", "256\n");
  auto families = CollectFrom(MakeEntropySpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kNotFound);

  dir.WriteFile("proc/sys/kernel/random/poolsize", "garbage\n");
  families = CollectFrom(MakeEntropySpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("poolsize"), std::string::npos) << families.status().message();
}

}  // namespace
}  // namespace buildfarm::exporter
