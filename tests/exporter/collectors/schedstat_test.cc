#include "exporter/collectors/schedstat.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParseSchedstat, ReadsTheCpuLinesAndSkipsTheRest) {
  auto cpus = ParseSchedstat(
      "version 15\ntimestamp 4297299139\n"
      "cpu0 0 0 0 0 0 0 2135687211438 356201554213 9987612\n"
      "domain0 00000003 1153 1150 3 0 0 0 0\n"
      "cpu1 1 2 3 4 5 6 7 8 9 10\n");
  ASSERT_TRUE(cpus.ok()) << cpus.status().ToString();
  ASSERT_EQ(cpus->size(), 2u);
  EXPECT_EQ((*cpus)[0].cpu, "0");
  EXPECT_EQ((*cpus)[0].running_nanoseconds, 2135687211438u);
  EXPECT_EQ((*cpus)[0].waiting_nanoseconds, 356201554213u);
  EXPECT_EQ((*cpus)[0].timeslices, 9987612u);
  EXPECT_EQ((*cpus)[1].running_nanoseconds, 7u);  // a tenth counter is ignored
}

TEST(ParseSchedstat, SkipsMalformedCpuLinesAsNodeExporterDoes) {
  const char* cases[] = {
      "cpu1 1 2 3 x 5 6 7 8 9\n",      // garbled counter
      "cpu1 1 2 3 4 5 6 7 8\n",        // truncated
      "cpux 1 2 3 4 5 6 7 8 9\n",      // no cpu number
      "cpu0 1 2 3 4 5 6 7 8 9\n",      // repeated cpu: the first line wins
  };
  for (const char* bad : cases) {
    auto cpus = ParseSchedstat(std::string("cpu0 0 0 0 0 0 0 1 2 3\n") + bad);
    ASSERT_TRUE(cpus.ok()) << bad;
    ASSERT_EQ(cpus->size(), 1u) << bad;
    EXPECT_EQ((*cpus)[0].running_nanoseconds, 1u) << bad;
  }
}

TEST(ParseSchedstat, RejectsTextWithoutACpuLine) {
  for (const std::string& bad : {std::string(""), std::string("version 15\ntimestamp 1\n"),
                                 std::string("cpu0 1 2 3"), std::string(4 << 20, 'x')}) {
    auto cpus = ParseSchedstat(bad);
    EXPECT_FALSE(cpus.ok()) << bad.substr(0, 40);
    if (!cpus.ok()) EXPECT_EQ(cpus.status().code(), StatusCode::kParseError);
  }
}

TEST(SchedstatCollector, ExportsSecondsAndTimeslicesPerCpu) {
  auto families = CollectFromFixtures(MakeSchedstatSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 3u);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_schedstat_running_seconds_total", {{"cpu", "0"}}), 2135.687211438);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_schedstat_waiting_seconds_total", {{"cpu", "1"}}), 401.118992347);
  EXPECT_EQ(SampleValue(*families, "node_schedstat_timeslices_total", {{"cpu", "1"}}), 8870234);
  const auto* family = FindFamily(*families, "node_schedstat_waiting_seconds_total");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Counter);
  EXPECT_EQ(family->help, "Number of seconds spent by processing waiting for this CPU.");
}

TEST(SchedstatCollector, MissingFileIsNotFound) {
  ExpectNotFoundOnEmptyHost(MakeSchedstatSpec());
}

}  // namespace
}  // namespace buildfarm::exporter
