#include "scheduler/plugins/metrics_fresh.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;
using Kind = Verdict::Kind;

TEST(MetricsFresh, DefaultStalenessIsSixtySeconds) {
  auto args = ParseMetricsFreshArgs(Args({}));
  ASSERT_TRUE(args.ok());
  MetricsFresh plugin(*args);
  RunFilterCases(plugin, {
      {"just sampled", NodeBuilder().MetricsAgo(0), JobBuilder(), Kind::kFits},
      {"60s old", NodeBuilder().MetricsAgo(60), JobBuilder(), Kind::kFits},
      {"61s old", NodeBuilder().MetricsAgo(61), JobBuilder(), Kind::kUnschedulable, "metrics are 61s old (max 60s)"},
      {"5 minutes old", NodeBuilder().MetricsAgo(300), JobBuilder(), Kind::kUnschedulable, "300s old"},
      {"sampled in the future (skew)", NodeBuilder().MetricsAgo(-5), JobBuilder(), Kind::kFits},
      {"no metrics", NodeBuilder().NoMetrics(), JobBuilder(), Kind::kUnschedulable, "no metrics yet"},
  });
}

TEST(MetricsFresh, JudgesBySampleTimestampNotHeartbeat) {
  MetricsFresh plugin({.max_staleness_seconds = 10});
  RunFilterCases(plugin, {
      {"fresh heartbeat, stale sample", NodeBuilder().HeartbeatAgo(0).MetricsAgo(11), JobBuilder(),
       Kind::kUnschedulable, "11s old (max 10s)"},
  });
}

TEST(MetricsFresh, Args) {
  RunArgsCases(&ParseMetricsFreshArgs, {
      {"duration", Args({{"maxStaleness", "2m"}}), ""},
      {"negative", Args({{"maxStaleness", "-1"}}), "argument maxStaleness"},
      {"garbage", Args({{"maxStaleness", "fresh"}}), "argument maxStaleness: want a positive duration"},
      {"unknown", Args({{"max_staleness", "1m"}}), "argument max_staleness: unknown argument (known: maxStaleness)"},
  });
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
