// ServerMetrics: per-node series exist at 0 before a node's first build (so increase() counts it), the
// branch label of buildfarm_job_failures_by_branch_total is bounded, and through the API: the series
// appear on registration and submission, and buildfarm_scheduler_node_running_jobs follows the node's work.
#include "scheduler/server/server_metrics.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/prom_text.h"

namespace buildfarm::scheduler {
namespace {

std::map<std::string, testing::PromSample> Samples(const std::string& text) {
  std::string error;
  auto parsed = testing::ParsePromText(text, &error);
  EXPECT_TRUE(parsed) << error;
  return parsed ? parsed->ByKey() : std::map<std::string, testing::PromSample>{};
}

// The value of `key`, or -1 when the series is absent.
double Value(const std::map<std::string, testing::PromSample>& samples, const std::string& key) {
  auto it = samples.find(key);
  return it == samples.end() ? -1 : it->second.value;
}

TEST(ServerMetrics, ATrackedNodeHasItsCountersAtZeroBeforeItsFirstBuild) {
  ServerMetrics metrics;
  EXPECT_EQ(Value(Samples(metrics.Render()), R"(buildfarm_jobs_completed_total{node="b1",result="completed"})"), -1);
  metrics.TrackNode("b1");
  metrics.TrackNode("b1");  // idempotent
  auto samples = Samples(metrics.Render());
  EXPECT_EQ(Value(samples, R"(buildfarm_jobs_completed_total{node="b1",result="completed"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_jobs_completed_total{node="b1",result="failed"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_duration_seconds_count{node="b1"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_duration_seconds_bucket{le="+Inf",node="b1"})"), 0);

  metrics.CountCompletion("b1", "main", "completed", 12);
  samples = Samples(metrics.Render());
  EXPECT_EQ(Value(samples, R"(buildfarm_jobs_completed_total{node="b1",result="completed"})"), 1);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_duration_seconds_count{node="b1"})"), 1);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_duration_seconds_bucket{le="15",node="b1"})"), 1);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_duration_seconds_bucket{le="5",node="b1"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_failures_by_branch_total{branch="main"})"), -1) << "not a failure";
}

TEST(ServerMetrics, SetNodeTracksTheNodeAndItsRunningJobs) {
  ServerMetrics metrics;
  metrics.SetNode("b2", 1000, "ready", 3);
  auto samples = Samples(metrics.Render());
  EXPECT_EQ(Value(samples, R"(buildfarm_scheduler_node_running_jobs{node="b2"})"), 3);
  EXPECT_EQ(Value(samples, R"(buildfarm_jobs_completed_total{node="b2",result="failed"})"), 0);
  metrics.SetNode("b2", 1001, "ready", 0);
  EXPECT_EQ(Value(Samples(metrics.Render()), R"(buildfarm_scheduler_node_running_jobs{node="b2"})"), 0);
}

TEST(ServerMetrics, BranchLabelsStopAtTheBoundAndTheRestCountAsOther) {
  ServerMetrics metrics;
  const std::size_t bound = ServerMetrics::kMaxBranchLabels;
  for (std::size_t i = 0; i < bound; ++i) {
    EXPECT_EQ(metrics.TrackBranch("feature/" + std::to_string(i)), "feature/" + std::to_string(i));
  }
  EXPECT_EQ(metrics.TrackBranch("feature/late"), "other");
  EXPECT_EQ(metrics.TrackBranch("feature/0"), "feature/0") << "a branch seen before keeps its label";
  EXPECT_EQ(metrics.TrackBranch(""), "none");

  metrics.CountCompletion("b1", "feature/7", "failed", 1);
  metrics.CountCompletion("b1", "feature/late", "failed", 1);
  metrics.CountCompletion("b1", "never-submitted", "failed", 1);  // first seen at its failure, past the bound
  metrics.CountCompletion("b1", "", "failed", 1);
  metrics.CountCompletion("b1", "feature/7", "completed", 1);
  auto samples = Samples(metrics.Render());
  EXPECT_EQ(Value(samples, R"(buildfarm_job_failures_by_branch_total{branch="feature/7"})"), 1);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_failures_by_branch_total{branch="feature/3"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_failures_by_branch_total{branch="other"})"), 2);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_failures_by_branch_total{branch="none"})"), 1);
  std::set<std::string> labels;
  for (const auto& [key, sample] : samples) {
    if (sample.name == "buildfarm_job_failures_by_branch_total") labels.insert(sample.Label("branch"));
  }
  EXPECT_EQ(labels.size(), bound + 2) << "the bound, plus other and none";
}

class ServerMetricsApiTest : public ServerTest {};

TEST_F(ServerMetricsApiTest, SeriesExistFromRegistrationAndSubmission) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  auto samples = Samples(Get("/metrics", "").body);
  EXPECT_EQ(Value(samples, R"(buildfarm_jobs_completed_total{node="b1",result="completed"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_jobs_completed_total{node="b1",result="failed"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_duration_seconds_count{node="b1"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_scheduler_node_running_jobs{node="b1"})"), 0);

  std::string id = Submit({{"branch", "release/2.1"}});
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
  samples = Samples(Get("/metrics", "").body);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_failures_by_branch_total{branch="release/2.1"})"), 0);
  EXPECT_EQ(Value(samples, R"(buildfarm_scheduler_node_running_jobs{node="b1"})"), 1);

  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 1, "duration_seconds": 2})", "b1tok").status,
            200);
  samples = Samples(Get("/metrics", "").body);
  EXPECT_EQ(Value(samples, R"(buildfarm_job_failures_by_branch_total{branch="release/2.1"})"), 1);
  EXPECT_EQ(Value(samples, R"(buildfarm_jobs_completed_total{node="b1",result="failed"})"), 1);
  EXPECT_EQ(Value(samples, R"(buildfarm_scheduler_node_running_jobs{node="b1"})"), 0);
}

}  // namespace
}  // namespace buildfarm::scheduler
