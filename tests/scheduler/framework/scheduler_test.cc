#include "scheduler/framework/scheduler.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "scheduler/framework/in_flight.h"
#include "scheduler/plugins/registry.h"
#include "tests/scheduler/builders.h"

namespace buildfarm::scheduler {
namespace {

using namespace testing;

Profile DefaultProfile() {
  static const Registry registry = plugins::BuiltinRegistry();
  auto profiles = LoadProfiles("", "default", registry);
  EXPECT_TRUE(profiles.ok()) << profiles.status().ToString();
  return std::move(profiles).value()[0];
}

std::vector<std::string> Ids(const CycleResult& result) {
  std::vector<std::string> ids;
  for (const Decision& d : result.decisions) ids.push_back(d.job_id + ":" + OutcomeName(d.outcome));
  return ids;
}

TEST(Scheduler, QueueOrderIsPriorityThenAge) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 1});
  std::vector<NodeView> nodes = {NodeBuilder("only").Cores(2)};
  std::vector<JobView> jobs = {JobBuilder("low").Priority(1).CreatedAgo(100).Cores(1),
                               JobBuilder("urgent-young").Priority(10).CreatedAgo(1).Cores(1),
                               JobBuilder("normal").Priority(5).CreatedAgo(50).Cores(1),
                               JobBuilder("urgent-old").Priority(10).CreatedAgo(60).Cores(1)};
  CycleResult result = scheduler.RunCycle(nodes, jobs, TestNow());
  EXPECT_EQ(Ids(result), (std::vector<std::string>{"urgent-old:bound", "urgent-young:bound", "normal:unschedulable",
                                                   "low:unschedulable"}));
  EXPECT_EQ(result.bound, 2u);
  EXPECT_EQ(result.unschedulable, 2u);
}

TEST(Scheduler, MaxDecisionsTakesTheMostUrgent) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 1});
  std::vector<NodeView> nodes = {NodeBuilder("n")};
  std::vector<JobView> jobs;
  for (int p = 1; p <= 10; ++p) jobs.push_back(JobBuilder("p" + std::to_string(p)).Priority(p));
  CycleResult result = scheduler.RunCycle(nodes, jobs, TestNow(), 3);
  EXPECT_EQ(Ids(result), (std::vector<std::string>{"p10:bound", "p9:bound", "p8:bound"}));
}

TEST(Scheduler, PicksTheLeastLoadedNode) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 7});
  std::vector<NodeView> nodes = {NodeBuilder("busy").Cpu(0.9), NodeBuilder("idle").Cpu(0.05),
                                 NodeBuilder("half").Cpu(0.5)};
  CycleResult result = scheduler.RunCycle(nodes, std::vector<JobView>{JobBuilder()}, TestNow());
  ASSERT_EQ(result.bound, 1u);
  EXPECT_EQ(result.decisions[0].node, "idle");
  EXPECT_EQ(nodes[1].running_jobs, 1);  // reserved in the snapshot
  EXPECT_GT(nodes[1].in_flight_load, 0);
}

TEST(Scheduler, TheLoadedNodeGetsFewerJobs) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 11});
  std::vector<NodeView> nodes = {NodeBuilder("loaded").Cpu(0.7), NodeBuilder("idle-1"), NodeBuilder("idle-2")};
  std::vector<JobView> jobs;
  for (int i = 0; i < 30; ++i) jobs.push_back(JobBuilder("j" + std::to_string(100 + i)).Cores(1));
  CycleResult result = scheduler.RunCycle(nodes, jobs, TestNow());
  ASSERT_EQ(result.bound, 30u);
  EXPECT_LT(nodes[0].running_jobs, nodes[1].running_jobs);
  EXPECT_LT(nodes[0].running_jobs, nodes[2].running_jobs);
  EXPECT_LE(std::abs(nodes[1].running_jobs - nodes[2].running_jobs), 1);
}

TEST(Scheduler, ReservationsWithinACycleSteerLaterJobs) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 3});
  std::vector<NodeView> nodes = {NodeBuilder("a").Cores(16), NodeBuilder("b").Cores(16)};
  std::vector<JobView> jobs = {JobBuilder("big-1").Cores(10), JobBuilder("big-2").Cores(10).CreatedAgo(-1),
                               JobBuilder("big-3").Cores(10).CreatedAgo(-2)};
  CycleResult result = scheduler.RunCycle(nodes, jobs, TestNow());
  ASSERT_EQ(result.decisions.size(), 3u);
  EXPECT_NE(result.decisions[0].node, result.decisions[1].node);
  EXPECT_EQ(result.decisions[2].outcome, Outcome::kUnschedulable);
  EXPECT_NE(result.decisions[2].reason.find("0/2 nodes fit: ResourceFit rejected 2"), std::string::npos)
      << result.decisions[2].reason;
}

TEST(Scheduler, FirstRejectionGivesTheNodesReason) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 1});
  // Cordoned AND too small: NodeReady runs first, so it is the reason.
  std::vector<NodeView> nodes = {NodeBuilder("n1").State(NodeState::kCordoned).Cores(1),
                                 NodeBuilder("n2").MetricsAgo(600)};
  CycleResult result = scheduler.RunCycle(nodes, std::vector<JobView>{JobBuilder().Cores(4)}, TestNow());
  ASSERT_EQ(result.decisions[0].outcome, Outcome::kUnschedulable);
  EXPECT_EQ(result.decisions[0].reason,
            "0/2 nodes fit: NodeReady rejected 1, MetricsFresh rejected 1 (first: n1: NodeReady: node is cordoned)");
}

TEST(Scheduler, TiesAreBrokenAtRandomWithAnInjectableSeed) {
  Profile profile = DefaultProfile();
  auto choose = [&](std::uint64_t seed) {
    Scheduler scheduler(profile, {.seed = seed});
    std::vector<NodeView> nodes = {NodeBuilder("a"), NodeBuilder("b"), NodeBuilder("c"), NodeBuilder("d")};
    return scheduler.RunCycle(nodes, std::vector<JobView>{JobBuilder()}, TestNow()).decisions[0].node;
  };
  EXPECT_EQ(choose(99), choose(99));
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 64; ++seed) seen.insert(choose(seed));
  EXPECT_EQ(seen.size(), 4u);
}

// Test plugins for the error paths.
class ErrorFilter final : public FilterPlugin {
 public:
  std::string_view Name() const override { return "ErrorFilter"; }
  Verdict Filter(const CycleState&, const JobView&, const NodeView& node) const override {
    return node.name == "bad" ? Verdict::Error("probe failed") : Verdict::Fits();
  }
};
class FixedScore final : public ScorePlugin {
 public:
  explicit FixedScore(Result<int> score) : score_(std::move(score)) {}
  std::string_view Name() const override { return "FixedScore"; }
  Result<int> Score(const CycleState&, const JobView&, const NodeView&) const override { return score_; }

 private:
  Result<int> score_;
};
class FailingBinder final : public Binder {
 public:
  Status Bind(const JobView&, const NodeView&, Time) override { return Unavailable("store is read-only"); }
};

Profile WithExtra(const FilterPlugin* filter, const ScorePlugin* score) {
  Profile profile = DefaultProfile();
  if (filter != nullptr) profile.filters.push_back(filter);
  if (score != nullptr) profile.scores.push_back({score, 1});
  return profile;
}

TEST(Scheduler, ErrorsAreDistinctFromUnschedulable) {
  ErrorFilter error_filter;
  FixedScore score_error(Internal("division by zero"));
  FixedScore out_of_range(250);
  struct Row {
    std::string name;
    Profile profile;
    std::string want_reason;
  };
  std::vector<Row> rows;
  rows.push_back({"filter error", WithExtra(&error_filter, nullptr), "filter ErrorFilter on node bad: probe failed"});
  rows.push_back({"score error", WithExtra(nullptr, &score_error), "division by zero"});
  rows.push_back({"score out of range", WithExtra(nullptr, &out_of_range), "250 is outside [0, 100]"});
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Scheduler scheduler(row.profile, {.seed = 1});
    std::vector<NodeView> nodes = {NodeBuilder("good"), NodeBuilder("bad")};
    CycleResult result = scheduler.RunCycle(nodes, std::vector<JobView>{JobBuilder()}, TestNow());
    ASSERT_EQ(result.errors, 1u);
    EXPECT_EQ(result.decisions[0].outcome, Outcome::kError);
    EXPECT_NE(result.decisions[0].reason.find(row.want_reason), std::string::npos) << result.decisions[0].reason;
    EXPECT_EQ(nodes[0].running_jobs + nodes[1].running_jobs, 0);
  }
}

TEST(Scheduler, FailedBindUndoesTheReservation) {
  Profile profile = DefaultProfile();
  InFlightTracker tracker;
  FailingBinder binder;
  Scheduler scheduler(profile, {.seed = 1, .in_flight = &tracker, .binder = &binder});
  std::vector<NodeView> nodes = {NodeBuilder("n").Cores(8)};
  CycleResult result = scheduler.RunCycle(nodes, std::vector<JobView>{JobBuilder().Cores(2)}, TestNow());
  ASSERT_EQ(result.decisions[0].outcome, Outcome::kError);
  EXPECT_EQ(result.decisions[0].reason, "bind DefaultBinder on node n: store is read-only");
  EXPECT_EQ(nodes[0].running_jobs, 0);
  EXPECT_DOUBLE_EQ(nodes[0].reservations.cores, 0);
  EXPECT_NEAR(nodes[0].in_flight_load, 0, 1e-12);
  EXPECT_EQ(tracker.RecordCount(), 0u);
}

class RecordingBinder final : public Binder {
 public:
  Status Bind(const JobView& job, const NodeView& node, Time) override {
    bound.push_back(job.id + "@" + node.name);
    return Status::Ok();
  }
  std::vector<std::string> bound;
};

TEST(Scheduler, BinderReceivesEveryPlacement) {
  Profile profile = DefaultProfile();
  RecordingBinder binder;
  Scheduler scheduler(profile, {.seed = 1, .binder = &binder});
  std::vector<NodeView> nodes = {NodeBuilder("n")};
  std::vector<JobView> jobs = {JobBuilder("j1"), JobBuilder("j2").CreatedAgo(1)};
  CycleResult result = scheduler.RunCycle(nodes, jobs, TestNow());
  EXPECT_EQ(binder.bound, (std::vector<std::string>{"j2@n", "j1@n"}));
}

TEST(Scheduler, LargeFleetsAreSampledRoundRobinSoEveryNodeGetsItsTurn) {
  Profile profile = DefaultProfile();  // 200 nodes: each job looks for 100 feasible ones
  Scheduler scheduler(profile, {.seed = 5});
  std::vector<NodeView> nodes;
  for (int i = 0; i < 200; ++i) nodes.push_back(NodeBuilder("n" + std::to_string(i)));
  std::vector<JobView> jobs;
  for (int i = 0; i < 200; ++i) jobs.push_back(JobBuilder("j" + std::to_string(1000 + i)));
  CycleResult result = scheduler.RunCycle(nodes, jobs, TestNow());
  ASSERT_EQ(result.bound, 200u);
  for (const NodeView& node : nodes) EXPECT_EQ(node.running_jobs, 1) << node.name;
}

TEST(Scheduler, UnschedulableCountsCoverTheWholeFleet) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 5});
  std::vector<NodeView> nodes;
  for (int i = 0; i < 500; ++i) nodes.push_back(NodeBuilder("n" + std::to_string(i)).Cores(4));
  CycleResult result = scheduler.RunCycle(nodes, std::vector<JobView>{JobBuilder().Cores(8)}, TestNow());
  EXPECT_EQ(result.decisions[0].reason.rfind("0/500 nodes fit: ResourceFit rejected 500", 0), 0u)
      << result.decisions[0].reason;
}

TEST(Scheduler, EmptyInputs) {
  Profile profile = DefaultProfile();
  Scheduler scheduler(profile, {.seed = 1});
  std::vector<NodeView> none;
  CycleResult result = scheduler.RunCycle(none, std::vector<JobView>{JobBuilder()}, TestNow());
  ASSERT_EQ(result.decisions.size(), 1u);
  EXPECT_EQ(result.decisions[0].reason, "0/0 nodes fit");
  std::vector<NodeView> nodes = {NodeBuilder()};
  EXPECT_TRUE(scheduler.RunCycle(nodes, std::vector<JobView>{}, TestNow()).decisions.empty());
}

}  // namespace
}  // namespace buildfarm::scheduler
