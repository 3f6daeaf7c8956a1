#include "exporter/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <ctime>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

constexpr char kStat[] =
    "4242 (buildfarm) exp) S 1 4242 4242 0 -1 4194560 2875 0 0 0 150 25 0 0 20 0 9 0 3000 "
    "1122443264 3783 18446744073709551615 1 1 0 0 0 0 0 4096 17475 0 0 0 17 1 0 0 0 0 0\n";

constexpr char kLimits[] =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max cpu time              unlimited            unlimited            seconds   \n"
    "Max open files            20000                524288               files     \n"
    "Max address space         unlimited            unlimited            bytes     \n";

TEST(ParseProcSelfStat, ReadsTimesAndMemoryPastATrickyCommand) {
  auto stat = ParseProcSelfStat(kStat);
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->utime_ticks, 150u);
  EXPECT_EQ(stat->stime_ticks, 25u);
  EXPECT_EQ(stat->start_ticks, 3000u);
  EXPECT_EQ(stat->virtual_bytes, 1122443264u);
  EXPECT_EQ(stat->resident_pages, 3783u);
}

TEST(ParseProcSelfStat, RejectsTruncatedAndGarbledInput) {
  std::string stat(kStat);
  for (const std::string& bad : {std::string(""), std::string("4242 buildfarm S 1"), stat.substr(0, 60),
                                 std::string("1 (x) S 1 2 3 4 5 6 7 8 9 10 x 12 13 14 15 16 17 18 19 20 21 22"),
                                 std::string("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 -5 22"),
                                 std::string(1 << 20, ')')}) {
    EXPECT_FALSE(ParseProcSelfStat(bad).ok()) << bad.substr(0, 60);
  }
}

TEST(ParseProcLimits, ReadsSoftLimitsWithUnlimitedAsMaxUint64) {
  auto limits = ParseProcLimits(kLimits);
  ASSERT_TRUE(limits.ok()) << limits.status().ToString();
  EXPECT_EQ(limits->max_open_files, 20000u);
  EXPECT_EQ(limits->max_address_space, 18446744073709551615u);
}

TEST(ParseProcLimits, RejectsMissingAndGarbledLines) {
  std::string limits(kLimits);
  for (const std::string& bad : {std::string(""), limits.substr(0, limits.find("Max address")),
                                 std::string("Max open files            lots\nMax address space  1\n"),
                                 std::string("Max open files\nMax address space 1\n")}) {
    EXPECT_FALSE(ParseProcLimits(bad).ok()) << bad;
  }
}

TEST(AppendProcessMetrics, ComputesTheGoClientsValuesFromAFixtureTree) {
  testing::TempDir dir;
  dir.WriteFile("self/stat", kStat);
  dir.WriteFile("self/limits", kLimits);
  for (const char* fd : {"0", "1", "2", "7"}) dir.WriteFile(std::string("self/fd/") + fd, "");
  dir.WriteFile("stat", "cpu  1 2 3 4 5 6 7 8 9 10\nbtime 1700000000\n");
  Families out;
  Status status = AppendProcessMetrics({dir.Join("self"), dir.Join("stat"), 100, 4096}, out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_DOUBLE_EQ(SampleValue(out, "process_cpu_seconds_total", {}), 1.75);
  EXPECT_EQ(SampleValue(out, "process_virtual_memory_bytes", {}), 1122443264);
  EXPECT_EQ(SampleValue(out, "process_resident_memory_bytes", {}), 3783.0 * 4096);
  EXPECT_EQ(SampleValue(out, "process_start_time_seconds", {}), 1700000030);
  EXPECT_EQ(SampleValue(out, "process_open_fds", {}), 4);
  EXPECT_EQ(SampleValue(out, "process_max_fds", {}), 20000);
  EXPECT_EQ(SampleValue(out, "process_virtual_memory_max_bytes", {}), 18446744073709551615.0);
  EXPECT_EQ(FindFamily(out, "process_cpu_seconds_total")->type, prometheus::MetricType::Counter);
  EXPECT_EQ(FindFamily(out, "process_start_time_seconds")->help,
            "Start time of the process since unix epoch in seconds.");
}

TEST(AppendProcessMetrics, AMissingSourceLeavesOutOnlyItsFamilies) {
  testing::TempDir dir;
  dir.WriteFile("self/stat", kStat);
  dir.WriteFile("stat", "cpu  1 2 3 4 5 6 7 8 9 10\nbtime 1700000000\n");
  Families out;  // no limits file and no fd directory
  Status status = AppendProcessMetrics({dir.Join("self"), dir.Join("stat"), 100, 4096}, out);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(FindFamily(out, "process_cpu_seconds_total"), nullptr);
  EXPECT_EQ(FindFamily(out, "process_max_fds"), nullptr);
  EXPECT_EQ(FindFamily(out, "process_open_fds"), nullptr);
}

TEST(AppendProcessMetrics, DescribesThisProcess) {
  Families out;
  Status status = AppendProcessMetrics({}, out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(out.size(), 7u);
  EXPECT_GT(SampleValue(out, "process_resident_memory_bytes", {}), 0);
  EXPECT_GE(SampleValue(out, "process_open_fds", {}), 3);
  double start = SampleValue(out, "process_start_time_seconds", {});
  EXPECT_LE(start, static_cast<double>(std::time(nullptr)) + 1);
  EXPECT_GT(start, static_cast<double>(std::time(nullptr)) - 86400 * 365);
}

}  // namespace
}  // namespace buildfarm::exporter
