// Long polls, leases and failover over HTTP.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "tests/scheduler/server/server_fixture.h"

namespace buildfarm::scheduler {
namespace {

class LongPollTest : public ServerTest {};

TEST_F(LongPollTest, WaitingAgentIsWokenByAnAssignment) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  Reply empty = Get("/api/v1/agents/b1/assignments?wait_seconds=0", "b1tok");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.json["assignments"].empty());

  auto poll = std::async(std::launch::async, [&] {
    httplib::Client agent("http://" + app_->BoundAddresses().front());
    agent.set_read_timeout(40, 0);
    auto res = agent.Get("/api/v1/agents/b1/assignments?wait_seconds=30", {{"Authorization", "Bearer b1tok"}});
    return res ? nlohmann::json::parse(res->body, nullptr, false) : nlohmann::json();
  });
  // The poll is waiting (nothing is assigned yet) when the job arrives.
  EXPECT_EQ(poll.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  std::string id = Submit({});
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  nlohmann::json got = poll.get();
  ASSERT_EQ(got["assignments"].size(), 1u) << got.dump();
  EXPECT_EQ(got["assignments"][0]["job"]["id"], id);
  EXPECT_EQ(got["assignments"][0]["attempt"], 1);
  EXPECT_EQ(Get("/api/v1/agents/nobody/assignments?wait_seconds=0").status, 404);
}

class LeaseTest : public ServerTest {
 protected:
  void Configure(SchedulerConfig& config) override {
    config.lease_seconds = 2;
    config.heartbeat_seconds = 0.5;
    config.backups = {{"b1", "b2"}};
  }
};

TEST_F(LeaseTest, SilentNodeGoesDownAndItsJobMovesToTheBackup) {
  SetMetrics({{"b1", 0.0}, {"b2", 0.9}, {"b3", 0.0}});  // b3 looks better, but b2 is b1's backup
  ASSERT_EQ(RegisterNode("b1").status, 200);
  std::string id = Submit({});
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
  ASSERT_EQ(Job(id)["assigned_to"], "b1");
  ASSERT_EQ(Post("/api/v1/agents/b1/heartbeat", "{}", "b1tok").status, 200);
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/start", "", "b1tok").status, 200);

  ASSERT_EQ(RegisterNode("b2").status, 200);
  ASSERT_EQ(RegisterNode("b3").status, 200);
  std::atomic<bool> beating{true};
  std::thread heart([&] {
    httplib::Client agent("http://" + app_->BoundAddresses().front());
    while (beating) {
      agent.Post("/api/v1/agents/b2/heartbeat", {{"Authorization", "Bearer b2tok"}}, "{}", "application/json");
      agent.Post("/api/v1/agents/b3/heartbeat", {{"Authorization", "Bearer b3tok"}}, "{}", "application/json");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the agents' heartbeat period, not a wait
    }
  });
  bool moved = Eventually([&] { return Job(id)["status"] == "assigned" && Job(id)["assigned_to"] == "b2"; });
  nlohmann::json job = Job(id);
  nlohmann::json b1 = Get("/api/v1/nodes/b1").json;
  Reply metrics = Get("/metrics", "");

  // b1 comes back: ready again, but told that its old attempt is superseded; its late reports get 409.
  Reply beat = Post("/api/v1/agents/b1/heartbeat", R"({"running": [{"job_id": ")" + id + R"(", "attempt": 1}]})", "b1tok");
  Reply late = Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 0})", "b1tok");
  Reply late_log = Post("/api/v1/jobs/" + id + "/attempts/1/log", "stale", "b1tok");
  std::string b1_state_after = Get("/api/v1/nodes/b1").json.value("state", "");
  beating = false;
  heart.join();

  ASSERT_TRUE(moved) << job.dump();
  EXPECT_EQ(job["attempt"], 2);
  EXPECT_EQ(job["retry_count"], 1);
  EXPECT_EQ(b1["state"], "down");
  EXPECT_EQ(b1.value("backup", ""), "b2");
  EXPECT_NE(metrics.body.find("buildfarm_scheduler_failovers_total{reason=\"lease\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("buildfarm_scheduler_nodes{state=\"down\"} 1"), std::string::npos);
  ASSERT_EQ(beat.status, 200);
  ASSERT_EQ(beat.json["superseded"].size(), 1u) << beat.body;
  EXPECT_EQ(beat.json["superseded"][0]["job_id"], id);
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late_log.status, 409);
  EXPECT_EQ(b1_state_after, "ready");
  EXPECT_EQ(Job(id)["status"], "assigned");
  EXPECT_EQ(Post("/api/v1/agents/nobody/heartbeat", "{}").status, 404);
}

class RestartTest : public ServerTest {};

TEST_F(RestartTest, CordonAndDrainSurviveARestart) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(RegisterNode("b2").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b2/drain", "").status, 200);
  std::string id = Submit({});
  app_->Stop();
  auto nodes = NodeStore::Open(dir_.Join("scheduler.db"), NowSeconds());
  ASSERT_TRUE(nodes.ok());
  EXPECT_TRUE((*nodes)->Get("b1")->cordoned);
  EXPECT_TRUE((*nodes)->Get("b2")->draining);
  EXPECT_EQ((*nodes)->Get("b2")->capacity.cores, 8);
  auto jobs = JobStore::Open(dir_.Join("scheduler.db"));
  ASSERT_TRUE(jobs.ok());
  // Neither node takes new work, so the job is still queued.
  EXPECT_EQ((*jobs)->Get(id)->state, JobState::kQueued);
}

}  // namespace
}  // namespace buildfarm::scheduler

namespace buildfarm::scheduler {
namespace {

class ReRegisterTest : public ServerTest {};

TEST_F(ReRegisterTest, ReRegisteringAgentLosesItsRunningAttemptsButKeepsUnstartedOnes) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  std::string running = Submit({});
  ASSERT_TRUE(Eventually([&] { return Job(running)["status"] == "assigned"; }));
  ASSERT_EQ(Post("/api/v1/jobs/" + running + "/attempts/1/start", "", "b1tok").status, 200);
  std::string waiting = Submit({});
  ASSERT_TRUE(Eventually([&] { return Job(waiting)["status"] == "assigned"; }));

  ASSERT_EQ(RegisterNode("b1").status, 200);
  EXPECT_EQ(Post("/api/v1/jobs/" + running + "/attempts/1/result", R"({"exit_code": 0})", "b1tok").status, 409);
  ASSERT_TRUE(Eventually([&] { return Job(running)["attempt"] == 2; }));
  EXPECT_EQ(Job(running)["retry_count"], 1);
  EXPECT_EQ(Job(waiting)["attempt"], 1);
  EXPECT_EQ(Post("/api/v1/jobs/" + waiting + "/attempts/1/start", "", "b1tok").status, 200);
}

}  // namespace
}  // namespace buildfarm::scheduler
