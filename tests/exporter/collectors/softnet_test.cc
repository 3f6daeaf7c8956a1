#include "exporter/collectors/softnet.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseSoftnet, ReadsTheFirstThreeColumnsOfEveryLayout) {
  struct Case {
    const char* name;
    const char* line;
  };
  const Case cases[] = {
      {"Linux 2.6.23 (9 columns)", "0000000a 00000001 00000002 0 0 0 0 0 0\n"},
      {"Linux 4.17 (11 columns)", "0000000a 00000001 00000002 0 0 0 0 0 0 0 0\n"},
      {"Linux 5.10 (13 columns)", "0000000a 00000001 00000002 0 0 0 0 0 0 0 0 0 00000003\n"},
      // node_exporter 1.5 reads only the first three columns, whatever the rest hold.
      {"later columns not numbers", "0000000A 00000001 00000002 zz 0 0 0 0 0\n"},
  };
  for (const Case& c : cases) {
    auto cpus = ParseSoftnet(c.line);
    ASSERT_TRUE(cpus.ok()) << c.name << ": " << cpus.status().ToString();
    ASSERT_EQ(cpus->size(), 1u) << c.name;
    EXPECT_EQ((*cpus)[0].processed, 10u) << c.name;
    EXPECT_EQ((*cpus)[0].dropped, 1u) << c.name;
    EXPECT_EQ((*cpus)[0].time_squeezed, 2u) << c.name;
  }
}

TEST(ParseSoftnet, RejectsBadInput) {
  ExpectParseErrors([](const std::string& text) { return ParseSoftnet(text); }, {
      {"truncated line", "0000000a 00000001 00000002 0 0\n"},
      {"blank line among cpus", "0000000a 0 0 0 0 0 0 0 0\n\n0000000a 0 0 0 0 0 0 0 0\n"},
      {"not hex", "0000000g 0 0 0 0 0 0 0 0\n"},
      {"more than 32 bits", "100000000 0 0 0 0 0 0 0 0\n"},
      {"sign", "-1 0 0 0 0 0 0 0 0\n"},
      {"huge single word", std::string(4 << 20, 'f')},
  });
}

TEST(SoftnetCollector, ExportsPerCpuCountersOfTheFixture) {
  auto families = CollectFromFixtures(MakeSoftnetSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 3u);
  EXPECT_EQ(SampleValue(*families, "node_softnet_processed_total", {{"cpu", "0"}}), 0x3a8f1);
  EXPECT_EQ(SampleValue(*families, "node_softnet_processed_total", {{"cpu", "1"}}), 0x1e2b7);
  EXPECT_EQ(SampleValue(*families, "node_softnet_dropped_total", {{"cpu", "1"}}), 3);
  EXPECT_EQ(SampleValue(*families, "node_softnet_times_squeezed_total", {{"cpu", "0"}}), 0x1c);
  const auto* family = FindFamily(*families, "node_softnet_times_squeezed_total");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Counter);
  EXPECT_EQ(family->help, "Number of times processing packets ran out of quota");
}

TEST(SoftnetCollector, MissingFileIsNotFound) {
  ExpectNotFoundOnEmptyHost(MakeSoftnetSpec());
}

}  // namespace
}  // namespace buildfarm::exporter
