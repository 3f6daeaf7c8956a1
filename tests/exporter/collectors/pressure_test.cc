#include "exporter/collectors/pressure.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/exporter/collectors/collector_test_util.h"
#include "tests/exporter/collectors/parser_test_util.h"

namespace buildfarm::exporter {
namespace {

TEST(ParsePressure, ReadsSomeAndFull) {
  auto stats = ParsePressure(
      "some avg10=0.12 avg60=0.31 avg300=0.27 total=51239847\n"
      "full avg10=0.10 avg60=0.25 avg300=0.21 total=40125500\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_TRUE(stats->some && stats->full);
  EXPECT_DOUBLE_EQ(stats->some->avg60, 0.31);
  EXPECT_EQ(stats->some->total_microseconds, 51239847u);
  EXPECT_DOUBLE_EQ(stats->full->avg300, 0.21);
  EXPECT_EQ(stats->full->total_microseconds, 40125500u);
}

TEST(ParsePressure, SkipsUnknownLinesAndAllowsAMissingFull) {
  auto stats = ParsePressure("future avg10=1\nsome avg10=1.00 avg60=2.00 avg300=3.00 total=4\n");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_TRUE(stats->some);
  EXPECT_FALSE(stats->full);
}

TEST(ParsePressure, RejectsBadInput) {
  ExpectParseErrors([](const std::string& text) { return ParsePressure(text); }, {
      {"truncated", "some avg10=0.12 avg60=0.31"},
      {"keys out of order", "some avg60=0.12 avg10=0.31 avg300=0.27 total=5\n"},
      {"garbled average", "some avg10=x avg60=0.31 avg300=0.27 total=5\n"},
      {"negative total", "some avg10=0 avg60=0 avg300=0 total=-5\n"},
      {"total overflows", "some avg10=0 avg60=0 avg300=0 total=99999999999999999999999\n"},
      {"huge line", "some " + std::string(4 << 20, 'x')},
  });
}

TEST(PressureCollector, ExportsTheFixtureInSeconds) {
  auto families = CollectFromFixtures(MakePressureSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(families->size(), 5u);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_pressure_cpu_waiting_seconds_total", {}), 8.45312);
  // Exactly what node_exporter 1.5 serves for this total (it divides by 1000 twice).
  EXPECT_EQ(SampleValue(*families, "node_pressure_io_waiting_seconds_total", {}), 51.239847000000005);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_pressure_io_stalled_seconds_total", {}), 40.1255);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_pressure_memory_waiting_seconds_total", {}), 1.204567);
  EXPECT_DOUBLE_EQ(SampleValue(*families, "node_pressure_memory_stalled_seconds_total", {}), 0.987654);
  EXPECT_EQ(FindFamily(*families, "node_pressure_cpu_stalled_seconds_total"), nullptr);
  const auto* family = FindFamily(*families, "node_pressure_io_stalled_seconds_total");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, prometheus::MetricType::Counter);
  EXPECT_EQ(family->help, "Total time in seconds no process could make progress due to IO congestion");
}

TEST(PressureCollector, NoPsiIsNotFoundAndAMissingFullLineFails) {
  ExpectNotFoundOnEmptyHost(MakePressureSpec());

  testing::TempDir dir;
  const char* some = "some avg10=0 avg60=0 avg300=0 total=1\n";
  dir.WriteFile("proc/pressure/cpu", some);
  dir.WriteFile("proc/pressure/io", some);
  dir.WriteFile("proc/pressure/memory", some);
  auto no_full = CollectFrom(MakePressureSpec(), HostPathsIn(dir));
  ASSERT_FALSE(no_full.ok());
  EXPECT_NE(no_full.status().message().find("pressure/io"), std::string::npos) << no_full.status().message();
}

}  // namespace
}  // namespace buildfarm::exporter
