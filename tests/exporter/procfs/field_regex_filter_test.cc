#include "exporter/procfs/field_regex_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "exporter/collectors/netstat.h"
#include "exporter/collectors/vmstat.h"

namespace buildfarm::exporter {
namespace {

TEST(FieldRegexFilter, MatchesAnywhereInTheNameAsGoMatchStringDoes) {
  struct Case {
    const char* pattern;
    const char* field;
    bool matches;
  };
  const Case cases[] = {
      {"fault", "pgmajfault", true},          // unanchored search, not a full match
      {"^fault", "pgmajfault", false},
      {kDefaultVmstatFields, "pgfault", true},
      {kDefaultVmstatFields, "pgmajfault", true},
      {kDefaultVmstatFields, "pgpgin", true},
      {kDefaultVmstatFields, "oom_kill", true},
      {kDefaultVmstatFields, "nr_free_pages", false},
      {kDefaultNetstatFields, "Tcp_InErrs", true},
      {kDefaultNetstatFields, "TcpExt_TCPTimeouts", true},
      {kDefaultNetstatFields, "Udp6_RcvbufErrors", true},
      {kDefaultNetstatFields, "Tcp_MaxConn", false},
      {kDefaultNetstatFields, "Ip_ForwardingX", false},  // the default anchors with $
      {"", "anything", true},                              // unset: every field
  };
  for (const Case& c : cases) {
    auto filter = FieldRegexFilter::Create("collector.test.fields", c.pattern);
    ASSERT_TRUE(filter.ok()) << c.pattern;
    EXPECT_EQ((*filter)->Matches(c.field), c.matches) << c.pattern << " on " << c.field;
    EXPECT_EQ((*filter)->Matches(c.field), c.matches) << "memoized: " << c.pattern << " on " << c.field;
  }
}

TEST(FieldRegexFilter, InvalidPatternNamesTheFlag) {
  auto filter = FieldRegexFilter::Create("collector.netstat.fields", "^(Tcp");
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(filter.status().message().find("--collector.netstat.fields"), std::string::npos);
  EXPECT_NE(filter.status().message().find("^(Tcp"), std::string::npos);
}

TEST(FieldRegexFilter, ConcurrentScrapesShareOneFilter) {
  auto filter = FieldRegexFilter::Create("collector.vmstat.fields", kDefaultVmstatFields);
  ASSERT_TRUE(filter.ok());
  std::vector<std::thread> threads;
  std::vector<int> matched(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) matched[t] += (*filter)->Matches("pgfault" + std::to_string(i % 50)) ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : matched) EXPECT_EQ(count, 500);
}

}  // namespace
}  // namespace buildfarm::exporter
