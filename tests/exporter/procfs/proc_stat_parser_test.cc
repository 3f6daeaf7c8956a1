#include "exporter/procfs/proc_stat_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "common/file_reader.h"
#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

// The lines every kernel writes, to which a test adds the cpu lines it is about.
constexpr std::string_view kTail =
    "intr 10 1 2 3\nctxt 20\nbtime 30\nprocesses 40\nprocs_running 5\nprocs_blocked 6\n";

TEST(ParseProcStat, ReadsTheFixture) {
  auto text = ReadFileCapped(testing::SourcePath("tests/fixtures/proc/stat"));
  ASSERT_TRUE(text.ok());
  auto stat = ParseProcStat(*text);
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->total.user, 2215347u);
  EXPECT_EQ(stat->total.guest_nice, 412u);
  ASSERT_EQ(stat->cpus.size(), 4u);
  const CpuTicks& cpu0 = stat->cpus[0];
  EXPECT_EQ(cpu0.user, 560187u);
  EXPECT_EQ(cpu0.nice, 2611u);
  EXPECT_EQ(cpu0.system, 151203u);
  EXPECT_EQ(cpu0.idle, 18503562u);
  EXPECT_EQ(cpu0.iowait, 14839u);
  EXPECT_EQ(cpu0.irq, 0u);
  EXPECT_EQ(cpu0.softirq, 22981u);
  EXPECT_EQ(cpu0.steal, 312u);
  EXPECT_EQ(cpu0.guest, 8211u);
  EXPECT_EQ(cpu0.guest_nice, 101u);
  EXPECT_EQ(stat->cpus[3].user, 550083u);
  EXPECT_EQ(stat->interrupts_total, 181442791u);
  EXPECT_EQ(stat->context_switches, 389726113u);
  EXPECT_EQ(stat->boot_time, 1700000000u);
  EXPECT_EQ(stat->forks, 1264091u);
  EXPECT_EQ(stat->procs_running, 3u);
  EXPECT_EQ(stat->procs_blocked, 1u);
  ASSERT_TRUE(stat->has_softirq);
  EXPECT_EQ(stat->softirq.total, 98009554u);
  EXPECT_EQ(stat->softirq.hi, 12u);
  EXPECT_EQ(stat->softirq.timer, 30125432u);
  EXPECT_EQ(stat->softirq.sched, 35012340u);
  EXPECT_EQ(stat->softirq.rcu, 28955582u);
}

TEST(ParseProcStat, AcceptsWhatProcfsAccepts) {
  struct Case {
    const char* name;
    std::string cpu_lines;
    std::size_t want_cpus;
    std::uint64_t want_cpu1_idle;
  };
  const Case cases[] = {
      {"old kernel, four columns", "cpu 1 2 3 4\ncpu0 1 2 3 4\ncpu1 5 6 7 8\n", 2, 8},
      {"offline cpu leaves a zero gap", "cpu 1 2 3 4\ncpu0 1 2 3 4\ncpu2 5 6 7 8\n", 3, 0},
      {"extra columns of a future kernel", "cpu 1 2 3 4 5 6 7 8 9 10 11 12\ncpu1 1 2 3 9 5 6 7 8 9 10 11\n", 2, 9},
      {"tabs, CRLF and blank lines", "cpu\t1 2 3 4\r\n\n   \ncpu1  1  2  3  7\n", 2, 7},
      {"unknown lines are ignored", "cpu 1 2 3 4\nfuture_key 1 2 x\nlonely\ncpu1 0 0 0 3\n", 2, 3},
  };
  for (const auto& c : cases) {
    auto stat = ParseProcStat(c.cpu_lines + std::string(kTail));
    ASSERT_TRUE(stat.ok()) << c.name << ": " << stat.status().ToString();
    ASSERT_EQ(stat->cpus.size(), c.want_cpus) << c.name;
    EXPECT_EQ(stat->cpus[1].idle, c.want_cpu1_idle) << c.name;
    EXPECT_FALSE(stat->has_softirq) << c.name;
  }
}

TEST(ParseProcStat, RejectsBadInput) {
  const std::string tail(kTail);
  const std::pair<const char*, std::string> cases[] = {
      {"empty", ""},
      {"only newlines", "\n\n\n"},
      {"truncated after the cpu lines", "cpu 1 2 3 4\ncpu0 1 2 3 4\nintr 10"},
      {"no aggregate cpu line", "cpu0 1 2 3 4\n" + tail},
      {"garbled cpu column", "cpu 1 2 3 4\ncpu0 1 2 x 4\n" + tail},
      {"negative cpu column", "cpu 1 2 3 4\ncpu0 1 -2 3 4\n" + tail},
      {"fractional cpu column", "cpu 1 2 3 4\ncpu0 1 2.5 3 4\n" + tail},
      {"bad cpu name", "cpu 1 2 3 4\ncpufoo 1 2 3 4\n" + tail},
      {"negative cpu id", "cpu 1 2 3 4\ncpu-1 1 2 3 4\n" + tail},
      {"absurd cpu id", "cpu 1 2 3 4\ncpu4000000000 1 2 3 4\n" + tail},
      {"overflowing counter", "cpu 1 2 3 4\nctxt 99999999999999999999\n" + tail},
      {"garbled btime", "cpu 1 2 3 4\n" + tail + "btime 12:00\n"},
      {"garbled per-irq count", "cpu 1 2 3 4\n" + tail + "intr 10 1 ? 3\n"},
      {"garbled softirq", "cpu 1 2 3 4\n" + tail + "softirq 1 2 three\n"},
      {"binary garbage", std::string("cpu \x01\x02\x03 4\n") + tail},
  };
  for (const auto& [name, text] : cases) {
    auto stat = ParseProcStat(text);
    EXPECT_FALSE(stat.ok()) << name;
    if (!stat.ok()) EXPECT_EQ(stat.status().code(), StatusCode::kParseError) << name;
  }
}

TEST(ParseProcStat, ErrorNamesTheLine) {
  auto stat = ParseProcStat("cpu 1 2 3 4\ncpu0 1 2 x 4\n" + std::string(kTail));
  ASSERT_FALSE(stat.ok());
  EXPECT_NE(stat.status().message().find("line 2"), std::string::npos) << stat.status().message();
}

TEST(ParseProcStat, SurvivesHugeInput) {
  // A machine with many CPUs and very long intr line still parses...
  std::string big = "cpu 1 2 3 4 5 6 7 8 9 10\n";
  for (int i = 0; i < 4096; ++i) big += "cpu" + std::to_string(i) + " 1 2 3 4 5 6 7 8 9 10\n";
  big += "intr 1";
  for (int i = 0; i < 100000; ++i) big += " 0";
  big += "\n" + std::string(kTail);
  auto stat = ParseProcStat(big);
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->cpus.size(), 4096u);
  // ...and megabytes of one garbage line fail cleanly.
  EXPECT_FALSE(ParseProcStat(std::string(4 << 20, 'x')).ok());
}

TEST(CpuBusyPercent, ComputesBusyShareOfElapsedTicks) {
  CpuTicks before{.user = 100, .nice = 0, .system = 50, .idle = 800, .iowait = 50};
  CpuTicks after = before;
  after.user += 30;
  after.system += 10;
  after.idle += 50;
  after.iowait += 10;
  after.guest += 20;  // part of user: must not count twice
  EXPECT_DOUBLE_EQ(CpuBusyPercent(before, after), 40.0);
}

TEST(CpuBusyPercent, IsZeroWhenNothingMovedOrCountersWentBack) {
  CpuTicks sample{.user = 100, .idle = 800};
  EXPECT_EQ(CpuBusyPercent(sample, sample), 0.0);
  CpuTicks earlier{.user = 200, .idle = 900};
  EXPECT_EQ(CpuBusyPercent(earlier, sample), 0.0);
  CpuTicks idle_only = sample;
  idle_only.idle += 100;
  EXPECT_EQ(CpuBusyPercent(sample, idle_only), 0.0);
  CpuTicks busy_only = sample;
  busy_only.system += 100;
  EXPECT_EQ(CpuBusyPercent(sample, busy_only), 100.0);
}

}  // namespace
}  // namespace buildfarm::exporter
