#include "scheduler/framework/in_flight.h"

#include <gtest/gtest.h>

#include <map>

#include "scheduler/framework/scheduler.h"
#include "scheduler/plugins/registry.h"
#include "tests/scheduler/builders.h"

namespace buildfarm::scheduler {
namespace {

using namespace testing;

TEST(InFlightTracker, DropsRecordsOnceNewerMetricsArrive) {
  InFlightTracker tracker;
  tracker.Record("a", "j1", 0.25, SecondsAgo(10));
  tracker.Record("a", "j2", 0.125, SecondsAgo(2));
  tracker.Record("b", "j3", 0.5, SecondsAgo(10));
  struct Row {
    std::string name;
    NodeView node;
    double want_load;
  };
  for (const Row& row : std::vector<Row>{
           {"metrics older than both bindings", NodeBuilder("a").MetricsAgo(30), 0.375},
           {"metrics between the bindings", NodeBuilder("a").MetricsAgo(5), 0.125},
           {"node without metrics keeps its records", NodeBuilder("b").NoMetrics(), 0.5},
           {"untracked node", NodeBuilder("c"), 0},
       }) {
    SCOPED_TRACE(row.name);
    std::vector<NodeView> nodes = {row.node};
    tracker.Apply(nodes);
    EXPECT_DOUBLE_EQ(nodes[0].in_flight_load, row.want_load);
  }
  std::vector<NodeView> fresh = {NodeBuilder("a").MetricsAgo(0), NodeBuilder("b").MetricsAgo(0)};
  tracker.Apply(fresh);
  EXPECT_EQ(tracker.RecordCount(), 0u);
}

TEST(InFlightTracker, SettleTimeKeepsRecordsForWindowedMetrics) {
  InFlightTracker tracker(/*settle_seconds=*/30);
  tracker.Record("a", "j1", 0.25, SecondsAgo(40));
  std::vector<NodeView> nodes = {NodeBuilder("a").MetricsAgo(20)};  // 20 s after binding: not settled
  tracker.Apply(nodes);
  EXPECT_DOUBLE_EQ(nodes[0].in_flight_load, 0.25);
  nodes = {NodeBuilder("a").MetricsAgo(5)};  // 35 s after binding
  tracker.Apply(nodes);
  EXPECT_DOUBLE_EQ(nodes[0].in_flight_load, 0);
}

TEST(InFlightTracker, RecordReplacesAndForgetRemoves) {
  InFlightTracker tracker;
  tracker.Record("a", "j1", 0.25, TestNow());
  tracker.Record("a", "j1", 0.5, TestNow());
  EXPECT_DOUBLE_EQ(tracker.LoadOn("a"), 0.5);
  tracker.Forget("a", "j1");
  tracker.Forget("a", "unknown");
  EXPECT_EQ(tracker.RecordCount(), 0u);
  tracker.Record("b", "j2", 0.5, TestNow());
  tracker.Record("b", "j3", 0.5, TestNow());
  tracker.ForgetNode("b");
  EXPECT_EQ(tracker.RecordCount(), 0u);
}

TEST(ExpectedJobLoad, ScalesFromRequirements) {
  EXPECT_DOUBLE_EQ(ExpectedJobLoad(JobBuilder().Cores(4), NodeBuilder().Cores(16), 1), 0.25);
  EXPECT_DOUBLE_EQ(ExpectedJobLoad(JobBuilder(), NodeBuilder().Cores(16), 2), 0.125);
  EXPECT_DOUBLE_EQ(ExpectedJobLoad(JobBuilder(), NodeBuilder().Cores(0), 1), 0);
}

// The acceptance check from the issue: 30 one-core jobs to 3 equal idle nodes, each scheduled in its own
// cycle from a snapshot whose metrics still show the nodes idle, spread within 1 of even.
class BurstTest : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(BurstTest, ThirtyJobsSpreadEvenlyOverThreeIdleNodes) {
  const Registry registry = plugins::BuiltinRegistry();
  auto profiles = LoadProfiles("", "default", registry);
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  InFlightTracker tracker;
  Scheduler scheduler((*profiles)[0], {.seed = GetParam(), .in_flight = &tracker});

  std::map<std::string, int> placed;
  std::vector<NodeView> store = {NodeBuilder("a").MetricsAgo(5), NodeBuilder("b").MetricsAgo(5),
                                 NodeBuilder("c").MetricsAgo(5)};
  for (int i = 0; i < 30; ++i) {
    // A fresh snapshot every cycle, as the daemon builds it: same stale metrics, reservations from the store.
    std::vector<NodeView> snapshot = store;
    std::vector<JobView> jobs = {JobBuilder("job-" + std::to_string(i)).Cores(1)};
    Time now = TestNow() + std::chrono::milliseconds(10 * i);
    CycleResult result = scheduler.RunCycle(snapshot, jobs, now);
    ASSERT_EQ(result.bound, 1u) << result.decisions[0].reason;
    ++placed[result.decisions[0].node];
    store = snapshot;
    for (NodeView& node : store) node.in_flight_load = 0;  // the store does not keep it; the tracker does
  }
  ASSERT_EQ(placed.size(), 3u);
  for (const auto& [node, count] : placed) {
    EXPECT_GE(count, 9) << node;
    EXPECT_LE(count, 11) << node;
  }
  EXPECT_EQ(tracker.RecordCount(), 30u);
}

TEST_P(BurstTest, ThirtyJobsInOneCycleSpreadEvenly) {
  const Registry registry = plugins::BuiltinRegistry();
  auto profiles = LoadProfiles("", "default", registry);
  ASSERT_TRUE(profiles.ok());
  Scheduler scheduler((*profiles)[0], {.seed = GetParam()});
  std::vector<NodeView> nodes = {NodeBuilder("a"), NodeBuilder("b"), NodeBuilder("c")};
  std::vector<JobView> jobs;
  for (int i = 0; i < 30; ++i) jobs.push_back(JobBuilder("job-" + std::to_string(i)).Cores(1));
  CycleResult result = scheduler.RunCycle(nodes, jobs, TestNow());
  ASSERT_EQ(result.bound, 30u);
  std::map<std::string, int> placed;
  for (const Decision& d : result.decisions) ++placed[d.node];
  for (const auto& [node, count] : placed) {
    EXPECT_GE(count, 9) << node;
    EXPECT_LE(count, 11) << node;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, BurstTest, ::testing::Values(1, 2, 3, 42, 1234));

}  // namespace
}  // namespace buildfarm::scheduler
