#include "exporter/collectors/vmstat.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseVmstat, ReadsNamesAndValuesInOrder) {
  auto fields = ParseVmstat("nr_free_pages 39615\npgfault 6537769\n\noom_kill 3 extra-column\n");
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  ASSERT_EQ(fields->size(), 3u);
  EXPECT_EQ((*fields)[0].name, "nr_free_pages");
  EXPECT_EQ((*fields)[1].value, 6537769);
  EXPECT_EQ((*fields)[2].name, "oom_kill");
  EXPECT_EQ((*fields)[2].value, 3);
}

TEST(ParseVmstat, ARepeatedFieldKeepsItsPlaceAndLastValue) {
  auto fields = ParseVmstat("pgfault 1\npgmajfault 2\npgfault 3\n");
  ASSERT_TRUE(fields.ok());
  ASSERT_EQ(fields->size(), 2u);
  EXPECT_EQ((*fields)[0].name, "pgfault");
  EXPECT_EQ((*fields)[0].value, 3);
}

TEST(ParseVmstat, RejectsBadInput) {
  ExpectParseErrors([](const std::string& text) { return ParseVmstat(text); }, {
      {"truncated after the name", "pgfault 1\npgmajfault"},
      {"garbled value", "pgfault 12x\n"},
      {"name a metric cannot carry", "pg-fault 1\n"},
      {"binary garbage", std::string("pg\x01" "fault 1\n")},
      {"huge single word", std::string(4 << 20, 'x')},
  });
  auto error = ParseVmstat("pgfault 1\npgmajfault x\n");
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.status().message().find("line 2"), std::string::npos) << error.status().message();
}

TEST(ParseVmstat, HandlesManyLines) {
  std::string big;
  for (int i = 0; i < 5000; ++i) big += "field" + std::to_string(i) + " " + std::to_string(i) + "\n";
  auto fields = ParseVmstat(big);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->size(), 5000u);
}

TEST(VmstatCollector, ExportsTheDefaultFieldsOfTheFixture) {
  auto families = CollectFromFixtures(MakeVmstatSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  // node_exporter 1.5's default: oom_kill, pgpg*, pswp*, pg*fault.
  EXPECT_EQ(families->size(), 7u);
  EXPECT_EQ(SampleValue(*families, "node_vmstat_pgfault", {}), 6537769);
  EXPECT_EQ(SampleValue(*families, "node_vmstat_pgmajfault", {}), 859903);
  EXPECT_EQ(SampleValue(*families, "node_vmstat_pgpgin", {}), 7957844);
  EXPECT_EQ(SampleValue(*families, "node_vmstat_pswpout", {}), 8087382);
  EXPECT_EQ(SampleValue(*families, "node_vmstat_oom_kill", {}), 1206865);
  EXPECT_EQ(FindFamily(*families, "node_vmstat_nr_free_pages"), nullptr);
  const auto* family = FindFamily(*families, "node_vmstat_pgfault");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Untyped);
  EXPECT_EQ(family->help, "/proc/vmstat information field pgfault.");
}

TEST(VmstatCollector, FieldsFlagChoosesTheFields) {
  auto families = CollectFrom(SpecWithFlags(MakeVmstatSpec(), {"--collector.vmstat.fields=^nr_free_pages$"}),
                              FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(SampleValue(*families, "node_vmstat_nr_free_pages", {}), 39615);
}

TEST(VmstatCollector, InvalidFieldsRegexStopsStartupNamingTheFlag) {
  CollectorSpec spec = SpecWithFlags(MakeVmstatSpec(), {"--collector.vmstat.fields=(unclosed"});
  auto families = CollectFrom(std::move(spec), FixturePaths());
  ASSERT_FALSE(families.ok());
  EXPECT_EQ(families.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(families.status().message().find("--collector.vmstat.fields"), std::string::npos);
}

TEST(VmstatCollector, MissingFileIsNotFoundAndGarbledFileFails) {
  ExpectNotFoundOnEmptyHost(MakeVmstatSpec());
  testing::TempDir dir;
  dir.WriteFile("proc/vmstat", "pgfault lots\n");
  auto garbled = CollectFrom(MakeVmstatSpec(), HostPathsIn(dir));
  ASSERT_FALSE(garbled.ok());
  EXPECT_NE(garbled.status().message().find("vmstat"), std::string::npos);
}

}  // namespace
}  // namespace buildfarm::exporter
