// The job routes over HTTP: errors with their status and field, submit to assignment, logs, explain, metrics.
#include <gtest/gtest.h>

#include <atomic>

#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/prom_text.h"

namespace buildfarm::scheduler {
namespace {

class ApiJobsTest : public ServerTest {};

TEST_F(ApiJobsTest, BodyOverOneMebibyteIs413AndChangesNothing) {
  std::string big = R"({"command": ")" + std::string((1 << 20) + 10, 'x') + R"("})";
  Reply reply = Post("/api/v1/jobs", big);
  EXPECT_EQ(reply.status, 413);
  EXPECT_TRUE(reply.json.contains("error"));
  EXPECT_EQ(Get("/api/v1/jobs").json["jobs"].size(), 0u);
}

TEST_F(ApiJobsTest, BadInputIs400NamingTheField) {
  struct Case {
    std::string body, field;
  };
  const Case cases[] = {
      {"{not json", "body"},
      {"[1, 2]", "body"},
      {R"({"command": "true", "priority": 11})", "priority"},
      {R"({"command": "true", "build_type": "nightly"})", "build_type"},
      {R"({"priority": 3})", "command"},
      {R"({"command": "true", "requirements": {"cores": -1}})", "requirements/cores"},
      {R"({"command": "true", "dependencies": ["nope"]})", "dependencies"},
      {R"({"jobs": [{"id": "a", "command": "x", "dependencies": ["b"]}, {"id": "b", "command": "y", "dependencies": ["a"]}]})",
       "dependencies"},
      {R"({"jobs": [{"command": "x", "priority": "high"}]})", "jobs/0/priority"},
      // Too large for int64 bytes: refused, not converted with undefined behaviour.
      {R"({"command": "true", "requirements": {"memory_bytes": 1e300}})", "requirements/memory_bytes"},
  };
  for (const Case& c : cases) {
    Reply reply = Post("/api/v1/jobs", c.body);
    EXPECT_EQ(reply.status, 400) << c.body << " -> " << reply.body;
    EXPECT_EQ(reply.json.value("field", ""), c.field) << c.body << " -> " << reply.body;
  }
  Reply cycle = Post("/api/v1/jobs", cases[7].body);
  EXPECT_NE(cycle.json.value("error", "").find("cycle a -> b -> a"), std::string::npos) << cycle.body;
  EXPECT_EQ(Get("/api/v1/jobs").json["jobs"].size(), 0u);
  EXPECT_EQ(Get("/api/v1/jobs?limit=0").json.value("field", ""), "limit");
  EXPECT_EQ(Get("/api/v1/jobs?status=sleeping").json.value("field", ""), "status");
}

TEST_F(ApiJobsTest, NotFoundAndConflict) {
  EXPECT_EQ(Get("/api/v1/jobs/missing").status, 404);
  EXPECT_EQ(Post("/api/v1/jobs/missing/cancel", "").status, 404);
  EXPECT_EQ(Get("/api/v1/nodes/missing").status, 404);
  EXPECT_EQ(Post("/api/v1/nodes/missing/cordon", "").status, 404);
  std::string id = Submit({{"id", "dup"}, {"selector", {{"os", "plan9"}}}});
  EXPECT_EQ(Post("/api/v1/jobs", R"({"id": "dup", "command": "true"})").status, 409);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/retry", "").status, 409);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/cancel", "").status, 200);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/cancel", "").status, 409);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/retry", "").status, 200);
}

TEST_F(ApiJobsTest, SubmitGraphListAndPaginate) {
  Reply graph = Post("/api/v1/jobs", R"({"jobs": [{"id": "g1", "command": "a"}, {"id": "g2", "command": "b", "dependencies": ["g1"]}]})");
  ASSERT_EQ(graph.status, 201) << graph.body;
  EXPECT_EQ(graph.json["jobs"][1]["status"], "blocked");
  for (int i = 0; i < 3; ++i) Submit({{"branch", "main"}});
  Reply page = Get("/api/v1/jobs?limit=2");
  ASSERT_EQ(page.json["jobs"].size(), 2u);
  ASSERT_TRUE(page.json.contains("next_cursor"));
  Reply rest = Get("/api/v1/jobs?limit=10&cursor=" + page.json["next_cursor"].get<std::string>());
  EXPECT_EQ(rest.json["jobs"].size(), 3u);
  EXPECT_FALSE(rest.json.contains("next_cursor"));
  EXPECT_EQ(Get("/api/v1/jobs?branch=main").json["jobs"].size(), 3u);
  EXPECT_EQ(Get("/api/v1/jobs?status=blocked").json["jobs"].size(), 1u);
}

TEST_F(ApiJobsTest, SubmittedJobIsAssignedToTheLessLoadedNodeAndRuns) {
  SetMetrics({{"b1", 0.9}, {"b2", 0.05}});
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(RegisterNode("b2").status, 200);
  std::string id = Submit({{"requirements", {{"cores", 1}}}});
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
  EXPECT_EQ(Job(id)["assigned_to"], "b2");
  EXPECT_EQ(Job(id)["attempt"], 1);
  Reply node = Get("/api/v1/nodes/b2");
  EXPECT_EQ(node.json["running_jobs"][0], id);
  EXPECT_EQ(node.json["reservations"]["cores"], 1.0);
  EXPECT_EQ(node.json["metrics"]["cpu_utilization"], 0.05);

  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/start", "", "b2tok").status, 200);
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/log", "hello ", "b2tok").status, 200);
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/log", "world\n", "b2tok").status, 200);
  EXPECT_EQ(Get("/api/v1/jobs/" + id + "/log", "viewertok").body, "hello world\n");
  EXPECT_EQ(Get("/api/v1/jobs/" + id + "/log?offset=6").body, "world\n");
  Reply done = Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 0, "duration_seconds": 2})", "b2tok");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json["status"], "completed");
  // Reported twice: the second is refused, so the agent drops it.
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 0})", "b2tok").status, 409);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": "zero"})", "b2tok").json.value("field", ""),
            "exit_code");
}

TEST_F(ApiJobsTest, LogFollowStreamsUntilTheJobEnds) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  std::string id = Submit({});
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/start", "", "b1tok").status, 200);
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/log", "one\n", "b1tok").status, 200);
  std::atomic<bool> following{false};  // the reader has streamed "one\n" and waits for more
  std::thread writer([&] {
    httplib::Client agent("http://" + app_->BoundAddresses().front());
    httplib::Headers auth{{"Authorization", "Bearer b1tok"}};
    EXPECT_TRUE(testing::Eventually([&] { return following.load(); }, 10, "the follower streaming the first line"));
    agent.Post("/api/v1/jobs/" + id + "/attempts/1/log", auth, "two\n", "text/plain");
    agent.Post("/api/v1/jobs/" + id + "/attempts/1/result", auth, R"({"exit_code": 0})", "application/json");
  });
  std::string streamed;
  httplib::Client reader("http://" + app_->BoundAddresses().front());
  auto result = reader.Get("/api/v1/jobs/" + id + "/log?follow=1", {{"Authorization", "Bearer viewertok"}},
                           [&](const char* data, std::size_t n) {
                             streamed.append(data, n);
                             if (streamed == "one\n") following = true;
                             return true;
                           });
  writer.join();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(streamed, "one\ntwo\n");
}

TEST_F(ApiJobsTest, ExplainShowsEveryNodesFiltersAndScores) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(RegisterNode("b2").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b2/cordon", "").status, 200);
  std::string id = Submit({{"selector", {{"os", "windows"}}}});
  Reply explain = Get("/api/v1/jobs/" + id + "/explain", "viewertok");
  ASSERT_EQ(explain.status, 200) << explain.body;
  EXPECT_EQ(explain.json["job"], id);
  ASSERT_EQ(explain.json["nodes"].size(), 2u);
  for (const auto& node : explain.json["nodes"]) {
    EXPECT_FALSE(node["feasible"].get<bool>());
    bool selector_rejects = false;
    bool ready_rejects = false;
    for (const auto& filter : node["filters"]) {
      if (filter["plugin"] == "NodeSelector") selector_rejects = filter["verdict"] == "unschedulable";
      if (filter["plugin"] == "NodeReady") ready_rejects = filter["verdict"] == "unschedulable";
    }
    EXPECT_TRUE(selector_rejects) << node.dump();
    EXPECT_EQ(ready_rejects, node["node"] == "b2") << node.dump();
    EXPECT_FALSE(node["scores"].empty());
    EXPECT_TRUE(node["scores"][0].contains("weight"));
  }
  EXPECT_EQ(Get("/api/v1/jobs/nope/explain").status, 404);
}

TEST_F(ApiJobsTest, MetricsExposeTheSchedulerFamilies) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  std::string id = Submit({});
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 3, "duration_seconds": 4})", "b1tok").status, 200);
  Reply metrics = Get("/metrics", "");
  ASSERT_EQ(metrics.status, 200);
  std::string error;
  auto parsed = testing::ParsePromText(metrics.body, &error);
  ASSERT_TRUE(parsed) << error;
  for (const char* family : {"buildfarm_scheduler_jobs", "buildfarm_scheduler_queue_wait_seconds",
                             "buildfarm_scheduler_cycle_duration_seconds", "buildfarm_scheduler_decisions_total",
                             "buildfarm_jobs_completed_total", "buildfarm_job_duration_seconds",
                             "buildfarm_scheduler_nodes", "buildfarm_scheduler_failovers_total"}) {
    EXPECT_TRUE(parsed->type.count(family)) << family;
  }
  auto samples = parsed->ByKey();
  EXPECT_EQ(samples[R"(buildfarm_scheduler_jobs{status="failed"})"].value, 1);
  EXPECT_EQ(samples[R"(buildfarm_jobs_completed_total{node="b1",result="failed"})"].value, 1);
  EXPECT_EQ(samples[R"(buildfarm_scheduler_nodes{state="ready"})"].value, 1);
  EXPECT_GE(samples[R"(buildfarm_scheduler_decisions_total{result="bound"})"].value, 1);
  EXPECT_EQ(samples[R"(buildfarm_job_duration_seconds_count{node="b1"})"].value, 1);
}

TEST_F(ApiJobsTest, MetricsReportTheSourcesHealth) {
  source_->Set({}, Clock::now() - std::chrono::seconds(30), true);
  std::string error;
  auto healthy = testing::ParsePromText(Get("/metrics", "").body, &error);
  ASSERT_TRUE(healthy) << error;
  auto samples = healthy->ByKey();
  EXPECT_EQ(samples["buildfarm_scheduler_metrics_query_success"].value, 1);
  EXPECT_GE(samples["buildfarm_scheduler_metrics_snapshot_age_seconds"].value, 30);
  EXPECT_LT(samples["buildfarm_scheduler_metrics_snapshot_age_seconds"].value, 300);
  source_->Set({}, Clock::now(), false);
  auto failing = testing::ParsePromText(Get("/metrics", "").body, &error);
  ASSERT_TRUE(failing) << error;
  EXPECT_EQ(failing->ByKey()["buildfarm_scheduler_metrics_query_success"].value, 0);
}

TEST_F(ApiJobsTest, ReadyzFollowsThePrometheusSource) {
  EXPECT_EQ(Get("/readyz", "").status, 200);
  source_->Set({}, Clock::now(), false);
  Reply reply = Get("/readyz", "");
  EXPECT_EQ(reply.status, 503);
  EXPECT_NE(reply.json.value("error", "").find("Prometheus"), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace buildfarm::scheduler
