// The Alertmanager webhook, manual failover and the failover records, over HTTP against an in-process
// scheduler; the hold-down with an injected clock.
#include <gtest/gtest.h>

#include <set>

#include "tests/scheduler/server/server_fixture.h"

namespace buildfarm::scheduler {
namespace {

nlohmann::json AlertJson(const std::string& status, const std::string& node, const std::string& fingerprint = "fp-1",
                         const std::string& starts_at = "2026-11-27T03:10:00Z",
                         const std::string& name = "BuildNodeDown") {
  return {{"status", status},
          {"labels", {{"alertname", name}, {"node", node}, {"action", "failover"}, {"severity", "critical"}}},
          {"annotations", {{"summary", node + " is down"}}},
          {"startsAt", starts_at},
          {"endsAt", "0001-01-01T00:00:00Z"},
          {"fingerprint", fingerprint}};
}

std::string Payload(std::vector<nlohmann::json> alerts) {
  return nlohmann::json{{"version", "4"}, {"status", alerts.front()["status"]}, {"receiver", "scheduler"},
                        {"groupLabels", nlohmann::json::object()}, {"alerts", alerts}}
      .dump();
}

// The Prometheus sample line `name{labels} value` from a /metrics body, or -1.
double Sample(const std::string& metrics, const std::string& series) {
  auto at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

class AlertWebhookTest : public ServerTest {
 protected:
  void Configure(SchedulerConfig& config) override { config.backups = {{"b1", "b2"}}; }

  // A job assigned to b1 (the only node when it is submitted), then b2 and b3 register.
  std::string JobOnB1() {
    EXPECT_EQ(RegisterNode("b1").status, 200);
    std::string id = Submit({});
    EXPECT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
    EXPECT_EQ(Job(id)["assigned_to"], "b1");
    EXPECT_EQ(RegisterNode("b2").status, 200);
    EXPECT_EQ(RegisterNode("b3").status, 200);
    return id;
  }
  Reply PostAlerts(std::vector<nlohmann::json> alerts, const std::string& token = "admintok") {
    Reply reply = Post("/api/v1/alertmanager", Payload(std::move(alerts)), token);
    app_->alerts().WaitIdle();
    return reply;
  }
  nlohmann::json Failovers() { return Get("/api/v1/failovers").json["failovers"]; }
};

TEST_F(AlertWebhookTest, NeedsAnAdminToken) {
  EXPECT_EQ(Post("/api/v1/alertmanager", Payload({AlertJson("firing", "b1")}), "").status, 401);
  EXPECT_EQ(Post("/api/v1/alertmanager", Payload({AlertJson("firing", "b1")}), "wrong").status, 401);
  EXPECT_EQ(Post("/api/v1/alertmanager", Payload({AlertJson("firing", "b1")}), "viewertok").status, 403);
  EXPECT_EQ(Post("/api/v1/alertmanager", Payload({AlertJson("firing", "b1")}), "b1tok").status, 403);
}

TEST_F(AlertWebhookTest, WebhookTokenDeliversAlertsAndCanDoNothingElse) {
  std::string id = JobOnB1();
  EXPECT_EQ(PostAlerts({AlertJson("firing", "b1")}, "webhooktok").status, 200);
  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "cordoned");
  Reply submit = Post("/api/v1/jobs", R"({"command": "true"})", "webhooktok");
  EXPECT_EQ(submit.status, 403) << submit.body;
  EXPECT_NE(submit.json.value("error", "").find("role webhook"), std::string::npos) << submit.body;
  EXPECT_EQ(Get("/api/v1/nodes", "webhooktok").status, 403);
  EXPECT_EQ(Post("/api/v1/nodes/b1/uncordon", "", "webhooktok").status, 403);
  EXPECT_EQ(Post("/api/v1/nodes/b2/failover", R"({"to": "b3"})", "webhooktok").status, 403);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/cancel", "", "webhooktok").status, 403);
}

TEST_F(AlertWebhookTest, OnlyAllowedAlertNamesFailNodesOver) {
  std::string id = JobOnB1();
  nlohmann::json mislabelled = AlertJson("firing", "b1", "fp-disk-io");
  mislabelled["labels"]["alertname"] = "BuildNodeDiskIOHigh";  // action=failover, but not in failover.alerts
  ASSERT_EQ(PostAlerts({mislabelled}, "webhooktok").status, 200);
  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "ready");
  EXPECT_TRUE(Failovers().empty());
  EXPECT_EQ(Job(id)["attempt"], 1);
  EXPECT_EQ(Sample(Get("/metrics", "").body, "buildfarm_scheduler_alerts_not_allowed_total"), 1);
}

TEST_F(AlertWebhookTest, MalformedPayloadIs400NamingTheFieldAndChangesNothing) {
  std::string id = JobOnB1();
  nlohmann::json bad = AlertJson("firing", "b1");
  bad["startsAt"] = "yesterday";
  Reply reply = PostAlerts({AlertJson("firing", "b1", "fp-ok"), bad});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json.value("field", ""), "alerts[1].startsAt") << reply.body;
  Reply not_json = Post("/api/v1/alertmanager", "{", "admintok");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.json.value("field", ""), "body");
  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "ready");
  EXPECT_EQ(Job(id)["attempt"], 1);
  EXPECT_TRUE(Failovers().empty());
}

TEST_F(AlertWebhookTest, FiringAlertCordonsTheNodeAndMovesItsJobToTheBackup) {
  SetMetrics({{"b1", 0.1}, {"b2", 0.9}, {"b3", 0.0}});  // b3 looks better, but b2 is b1's backup
  std::string id = JobOnB1();
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/start", "", "b1tok").status, 200);
  Reply reply = PostAlerts({AlertJson("firing", "b1")});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["alerts"], 1);

  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "cordoned");
  ASSERT_TRUE(Eventually([&] { return Job(id)["assigned_to"] == "b2"; })) << Job(id).dump();
  EXPECT_EQ(Job(id)["attempt"], 2);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 0})", "b1tok").status, 409)
      << "the old attempt is fenced";
  nlohmann::json records = Failovers();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["reason"], "BuildNodeDown");
  EXPECT_EQ(records[0]["source"], "b1");
  EXPECT_EQ(records[0]["target"], "b2");
  EXPECT_EQ(records[0]["jobs"], nlohmann::json::array({id}));
  std::string metrics = Get("/metrics", "").body;
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_alerts_received_total{status="firing"})"), 1);
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_failovers_total{reason="BuildNodeDown"})"), 1);
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_node_state{node="b1",state="cordoned"})"), 1);
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_node_state{node="b1",state="ready"})"), 0);
}

TEST_F(AlertWebhookTest, RetriesAndRepeatsActOnce) {
  std::string id = JobOnB1();
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b1")}).status, 200);
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned" && Job(id)["assigned_to"] != "b1"; }));
  ASSERT_EQ(Post("/api/v1/nodes/b1/uncordon", "").status, 200);  // the operator lets it work again
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b1")}).status, 200);
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b1"), AlertJson("firing", "b1")}).status, 200);
  EXPECT_EQ(Failovers().size(), 1u);
  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "ready") << "the repeated alert did not cordon it again";
  EXPECT_EQ(Job(id)["attempt"], 2);
  // A new firing of the same alert (a new startsAt) acts again.
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b1", "fp-1", "2026-11-27T04:00:00Z")}).status, 200);
  EXPECT_EQ(Failovers().size(), 2u);
  std::string metrics = Get("/metrics", "").body;
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_alerts_received_total{status="firing"})"), 5);
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_failovers_total{reason="BuildNodeDown"})"), 2);
}

// Issue 11, item 16: one webhook with 7,000 firing alerts (distinct fingerprints) for one node.
TEST_F(AlertWebhookTest, AnAlertStormForOneNodeIsOneFailover) {
  std::string id = JobOnB1();
  std::vector<nlohmann::json> storm;
  for (int i = 0; i < 7000; ++i) {
    nlohmann::json alert = AlertJson("firing", "b1", "f" + std::to_string(i));
    alert.erase("annotations");  // 7,000 alerts within the 1 MiB body limit
    alert.erase("endsAt");
    alert["labels"].erase("severity");
    storm.push_back(std::move(alert));
  }
  ASSERT_LT(Payload(storm).size(), kMaxBodyBytes);
  Reply reply = PostAlerts(storm, "webhooktok");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["alerts"], 7000);
  nlohmann::json records = Failovers();
  ASSERT_EQ(records.size(), 1u) << records.dump().substr(0, 2000);
  EXPECT_EQ(records[0]["source"], "b1");
  EXPECT_EQ(records[0]["merged_alerts"], 6999);
  EXPECT_EQ(records[0]["jobs"], nlohmann::json::array({id}));
  EXPECT_EQ(Job(id)["attempt"], 2) << "moved once";
  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "cordoned");
  std::string metrics = Get("/metrics", "").body;
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_failovers_total{reason="BuildNodeDown"})"), 1);
  EXPECT_EQ(Sample(metrics, "buildfarm_scheduler_alerts_merged_total"), 6999);

  // A later notification while b1 stays cordoned merges too; after the operator's uncordon it fails over anew.
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b1", "later")}).status, 200);
  EXPECT_EQ(Failovers().size(), 1u);
  EXPECT_EQ(Failovers()[0]["merged_alerts"], 7000);
  ASSERT_EQ(Post("/api/v1/nodes/b1/uncordon", "").status, 200);
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b1", "after-uncordon")}).status, 200);
  EXPECT_EQ(Failovers().size(), 2u);
}

TEST_F(AlertWebhookTest, AStormOverManyNodesFailsEachOverOnce) {
  JobOnB1();
  std::vector<nlohmann::json> alerts;
  for (int i = 0; i < 300; ++i) {
    for (const char* node : {"b1", "b2", "b3"}) alerts.push_back(AlertJson("firing", node, node + std::to_string(i)));
  }
  ASSERT_EQ(PostAlerts(alerts).status, 200);
  nlohmann::json records = Failovers();
  ASSERT_EQ(records.size(), 3u) << records.dump().substr(0, 2000);
  std::set<std::string> sources;
  for (const auto& record : records) {
    sources.insert(record.value("source", ""));
    EXPECT_EQ(record["merged_alerts"], 299) << record.dump();
  }
  EXPECT_EQ(sources, (std::set<std::string>{"b1", "b2", "b3"}));
}

TEST_F(AlertWebhookTest, UnknownNodeIsCountedAndNothingElse) {
  std::string id = JobOnB1();
  ASSERT_EQ(PostAlerts({AlertJson("firing", "nosuchnode")}).status, 200);
  ASSERT_EQ(PostAlerts({AlertJson("resolved", "nosuchnode")}).status, 200);
  std::string metrics = Get("/metrics", "").body;
  EXPECT_EQ(Sample(metrics, "buildfarm_scheduler_alerts_unknown_node_total"), 2);
  EXPECT_TRUE(Failovers().empty());
  for (const char* node : {"b1", "b2", "b3"}) EXPECT_EQ(Get(std::string("/api/v1/nodes/") + node).json["state"], "ready");
  EXPECT_EQ(Job(id)["attempt"], 1);
}

TEST_F(AlertWebhookTest, AlertsWithoutTheFailoverActionAreOnlyCounted) {
  std::string id = JobOnB1();
  nlohmann::json alert = AlertJson("firing", "b1");
  alert["labels"].erase("action");
  ASSERT_EQ(PostAlerts({alert}).status, 200);
  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "ready");
  EXPECT_TRUE(Failovers().empty());
}

TEST_F(AlertWebhookTest, UnhealthyBackupSendsTheWorkToThePool) {
  std::string id = JobOnB1();
  ASSERT_EQ(Post("/api/v1/nodes/b2/cordon", "").status, 200);
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b1")}).status, 200);
  nlohmann::json records = Failovers();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["target"], "pool");
  ASSERT_TRUE(Eventually([&] { return Job(id)["assigned_to"] == "b3"; })) << Job(id).dump();
}

TEST_F(AlertWebhookTest, ManualFailoverMovesTheWorkAndCordonsTheSource) {
  std::string id = JobOnB1();
  EXPECT_EQ(Post("/api/v1/nodes/b1/failover", "{}").json.value("field", ""), "to");
  EXPECT_EQ(Post("/api/v1/nodes/b1/failover", R"({"to": "nosuch"})").json.value("field", ""), "to");
  EXPECT_EQ(Post("/api/v1/nodes/b1/failover", R"({"to": "b1"})").status, 400);
  EXPECT_EQ(Post("/api/v1/nodes/b1/failover", R"({"to": 3})").status, 400);
  EXPECT_EQ(Post("/api/v1/nodes/nosuch/failover", R"({"to": "b2"})").status, 404);
  EXPECT_EQ(Post("/api/v1/nodes/b1/failover", R"({"to": "b3"})", "viewertok").status, 403);
  EXPECT_EQ(Job(id)["attempt"], 1) << "refused requests changed nothing";

  Reply reply = Post("/api/v1/nodes/b1/failover", R"({"to": "b3"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["reason"], "manual");
  EXPECT_EQ(reply.json["target"], "b3");
  EXPECT_EQ(reply.json["jobs"], nlohmann::json::array({id}));
  EXPECT_EQ(Get("/api/v1/nodes/b1").json["state"], "cordoned");
  ASSERT_TRUE(Eventually([&] { return Job(id)["assigned_to"] == "b3"; })) << Job(id).dump();
  EXPECT_EQ(Sample(Get("/metrics", "").body, R"(buildfarm_scheduler_failovers_total{reason="manual"})"), 1);
}

TEST_F(AlertWebhookTest, FailoverListIsNewestFirstAndLimited) {
  JobOnB1();
  ASSERT_EQ(Post("/api/v1/nodes/b1/failover", R"({"to": "b3"})").status, 200);
  ASSERT_EQ(PostAlerts({AlertJson("firing", "b2", "fp-2")}).status, 200);
  Reply all = Get("/api/v1/failovers", "viewertok");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(all.json["failovers"].size(), 2u);
  EXPECT_EQ(all.json["failovers"][0]["source"], "b2");
  EXPECT_EQ(all.json["failovers"][1]["source"], "b1");
  EXPECT_EQ(Get("/api/v1/failovers?limit=1").json["failovers"].size(), 1u);
  EXPECT_EQ(Get("/api/v1/failovers?limit=0").json.value("field", ""), "limit");
  EXPECT_EQ(Get("/api/v1/failovers", "").status, 401);
}

TEST_F(AlertWebhookTest, NodeMetricsShowHeartbeatsStatesAndTheOldestQueuedJob) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "").status, 200);
  std::string metrics = Get("/metrics", "").body;
  EXPECT_EQ(Sample(metrics, "buildfarm_scheduler_oldest_queued_job_age_seconds"), 0);
  Submit({});  // nowhere to go: b1 is cordoned
  ASSERT_TRUE(Eventually(
      [&] {
        metrics = Get("/metrics", "").body;
        return Sample(metrics, "buildfarm_scheduler_oldest_queued_job_age_seconds") > 0.2;
      },
      "the oldest queued job's age above 0.2 s"))
      << metrics;
  EXPECT_NEAR(Sample(metrics, R"(buildfarm_scheduler_node_last_heartbeat_timestamp_seconds{node="b1"})"), NowSeconds(), 10);
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_node_state{node="b1",state="cordoned"})"), 1);
  EXPECT_EQ(Sample(metrics, R"(buildfarm_scheduler_node_state{node="b1",state="down"})"), 0);
}

// The hold-down, driven by a clock the test moves.
class HoldDownTest : public AlertWebhookTest {
 protected:
  void SetUp() override {
    AlertWebhookTest::SetUp();
    now_ = NowSeconds();
    receiver_ = std::make_unique<AlertReceiver>(app_->database(), app_->service(), app_->nodes(), app_->failovers(),
                                                120, log_,
                                                [this] { return now_; });
    ASSERT_EQ(RegisterNode("b1").status, 200);
    ASSERT_EQ(RegisterNode("b2").status, 200);
  }
  Alert MakeAlert(bool firing, const std::string& fingerprint = "fp-1") {
    auto parsed = ParseAlertmanagerPayload(Payload({AlertJson(firing ? "firing" : "resolved", "b1", fingerprint)}));
    EXPECT_TRUE(parsed.ok());
    return parsed->alerts.front();
  }
  std::string StateAt(double seconds_later, bool heartbeat) {
    now_ += seconds_later;
    if (heartbeat) EXPECT_TRUE(app_->nodes().Heartbeat("b1", now_).ok());
    receiver_->ReleaseHoldDowns();
    return Get("/api/v1/nodes/b1").json.value("state", "");
  }
  double now_ = 0;
  std::unique_ptr<AlertReceiver> receiver_;
};

TEST_F(HoldDownTest, ResolvedAlertUncordonsOnlyAfterTheHoldDownWithHealthyHeartbeats) {
  receiver_->Handle(MakeAlert(true));
  EXPECT_EQ(StateAt(1, true), "cordoned");
  receiver_->Handle(MakeAlert(false));
  EXPECT_EQ(StateAt(60, true), "cordoned") << "within the hold-down";
  EXPECT_EQ(StateAt(59, true), "cordoned") << "119 s after the resolution";
  EXPECT_EQ(StateAt(20, false), "cordoned") << "hold-down over, but no heartbeat for 20 s (lease 15 s)";
  EXPECT_EQ(StateAt(1, true), "ready") << "heartbeats healthy again";
  EXPECT_TRUE(app_->failovers().AlertCordons()->empty());
}

TEST_F(HoldDownTest, NodeStaysCordonedWhileAnotherAlertStillFires) {
  receiver_->Handle(MakeAlert(true, "fp-down"));
  receiver_->Handle(MakeAlert(true, "fp-hot"));
  receiver_->Handle(MakeAlert(false, "fp-down"));
  EXPECT_EQ(StateAt(200, true), "cordoned");
  receiver_->Handle(MakeAlert(false, "fp-hot"));
  EXPECT_EQ(StateAt(121, true), "ready");
}

TEST_F(HoldDownTest, AnOperatorsCordonIsNeverUndone) {
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "").status, 200);
  receiver_->Handle(MakeAlert(true));
  receiver_->Handle(MakeAlert(false));
  EXPECT_EQ(StateAt(200, true), "cordoned");
}

TEST_F(HoldDownTest, AnOperatorsActionAfterTheAlertTakesOver) {
  receiver_->Handle(MakeAlert(true));
  ASSERT_EQ(Post("/api/v1/nodes/b1/uncordon", "").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "").status, 200);
  receiver_->Handle(MakeAlert(false));
  EXPECT_EQ(StateAt(200, true), "cordoned");
}

TEST_F(HoldDownTest, TheReceiverItselfRefusesAlertsNotInFailoverAlerts) {
  Alert alert = MakeAlert(true);
  alert.labels["alertname"] = "BuildNodeDiskIOHigh";  // action=failover, but not in failover.alerts
  receiver_->Handle(alert);
  EXPECT_EQ(StateAt(1, true), "ready");
  EXPECT_TRUE(Failovers().empty());
  EXPECT_EQ(Sample(Get("/metrics", "").body, "buildfarm_scheduler_alerts_not_allowed_total"), 1);
}

TEST_F(HoldDownTest, TheResolutionIsRememberedAcrossARestartOfTheReceiver) {
  receiver_->Handle(MakeAlert(true));
  receiver_->Handle(MakeAlert(false));
  receiver_ = std::make_unique<AlertReceiver>(app_->database(), app_->service(), app_->nodes(), app_->failovers(),
                                              120, log_,
                                              [this] { return now_; });
  receiver_->Handle(MakeAlert(true));  // Alertmanager re-sends the old firing notification: already handled
  EXPECT_EQ(StateAt(121, true), "ready");
}

}  // namespace
}  // namespace buildfarm::scheduler
