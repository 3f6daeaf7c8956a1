// Issue 11, item 6 over HTTP: every list route takes a bounded `limit` (400 naming it otherwise) and
// says when more exist; job logs are read by offset range, capped per attempt with a marker and a
// truncated:true answer to the agent; followers get only new bytes; the retention sweep and its metrics.
#include <gtest/gtest.h>

#include <atomic>

#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/prom_text.h"

namespace buildfarm::scheduler {
namespace {

constexpr double kDay = 86400;

class ApiLogsLimitsTest : public ServerTest {
 protected:
  void Configure(SchedulerConfig& config) override { config.max_log_bytes_per_attempt = 1024; }

  // A job assigned to b1 and started, attempt 1.
  std::string RunningJob() {
    EXPECT_EQ(RegisterNode("b1").status, 200);
    std::string id = Submit({});
    EXPECT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
    EXPECT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/start", "", "b1tok").status, 200);
    return id;
  }
  Reply AppendLog(const std::string& id, const std::string& chunk) {
    return Post("/api/v1/jobs/" + id + "/attempts/1/log", chunk, "b1tok");
  }
  std::string SendMessage(const std::string& subject, const std::string& reply_to = "") {
    nlohmann::json body{{"from", "b1"}, {"to", "b2"}, {"subject", subject}};
    if (!reply_to.empty()) body["reply_to"] = reply_to;
    Reply sent = Post("/api/v1/messages", body.dump());
    EXPECT_EQ(sent.status, 201) << sent.body;
    return sent.json.value("id", "");
  }
  double Metric(const std::string& key) {
    std::string error;
    auto parsed = testing::ParsePromText(Get("/metrics", "").body, &error);
    EXPECT_TRUE(parsed) << error;
    return parsed ? parsed->ByKey()[key].value : -1;
  }
};

TEST_F(ApiLogsLimitsTest, EveryListRouteRefusesABadLimitNamingIt) {
  std::string id = RunningJob();
  std::string message = SendMessage("hello");
  const std::vector<std::string> routes = {
      "/api/v1/jobs", "/api/v1/messages/unread?for=b2", "/api/v1/messages/search", "/api/v1/messages/" + message + "/thread",
      "/api/v1/failovers"};
  for (const std::string& route : routes) {
    const char* sep = route.find('?') == std::string::npos ? "?" : "&";
    for (const char* bad : {"0", "-1", "1001", "abc", "1.5", ""}) {
      Reply reply = Get(route + sep + "limit=" + bad);
      EXPECT_EQ(reply.status, 400) << route << " limit=" << bad << " -> " << reply.body;
      EXPECT_EQ(reply.json.value("field", ""), "limit") << route << " limit=" << bad << " -> " << reply.body;
    }
    EXPECT_EQ(Get(route + sep + "limit=1000").status, 200) << route;
  }
  for (const char* bad : {"0", "1048577", "x"}) {
    Reply reply = Get("/api/v1/jobs/" + id + "/log?limit=" + std::string(bad));
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_EQ(reply.json.value("field", ""), "limit") << bad;
  }
  for (const char* bad : {"0", "1001", "\"10\"", "2.5"}) {
    Reply reply = Post("/api/v1/messages/archive", std::string(R"({"days": 0, "limit": )") + bad + "}");
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_EQ(reply.json.value("field", ""), "limit") << bad;
  }
}

TEST_F(ApiLogsLimitsTest, MessageListsStopAtTheLimitAndSaySo) {
  std::string root = SendMessage("m0");
  std::string parent = root;
  for (int i = 1; i < 5; ++i) parent = SendMessage("m" + std::to_string(i), parent);
  struct Case {
    std::string path;
    std::size_t want;
    bool truncated;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/v1/messages/unread?for=b2&limit=3", 3, true},
           {"/api/v1/messages/unread?for=b2&limit=5", 5, false},
           {"/api/v1/messages/unread?for=b2", 5, false},
           {"/api/v1/messages/" + root + "/thread?limit=2", 2, true},
           {"/api/v1/messages/" + root + "/thread", 5, false},
           {"/api/v1/messages/search?limit=4", 4, true},
           {"/api/v1/messages/search?limit=5", 5, false},
       }) {
    Reply reply = Get(c.path);
    ASSERT_EQ(reply.status, 200) << c.path << " -> " << reply.body;
    EXPECT_EQ(reply.json["messages"].size(), c.want) << c.path;
    EXPECT_EQ(reply.json.value("truncated", false), c.truncated) << c.path;
  }
  // Archive: the oldest `limit` read messages move; "truncated" says more are due.
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Post("/api/v1/messages/" + Get("/api/v1/messages/search?limit=5").json["messages"][i]["id"].get<std::string>() +
                       "/read",
                   R"({"reader": "b2"})").status,
              200);
  }
  Reply first = Post("/api/v1/messages/archive", R"({"days": 0, "limit": 3})");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["archived"], 3);
  EXPECT_EQ(first.json.value("truncated", false), true);
  Reply rest = Post("/api/v1/messages/archive", R"({"days": 0, "limit": 3})");
  EXPECT_EQ(rest.json["archived"], 2);
  EXPECT_FALSE(rest.json.contains("truncated")) << rest.body;
}

TEST_F(ApiLogsLimitsTest, FailoverListStopsAtTheLimitAndSaysSo) {
  for (const char* node : {"b1", "b2", "b3"}) ASSERT_EQ(RegisterNode(node).status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/failover", R"({"to": "b3"})").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b2/failover", R"({"to": "b3"})").status, 200);
  Reply first = Get("/api/v1/failovers?limit=1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["failovers"].size(), 1u);
  EXPECT_EQ(first.json["failovers"][0]["source"], "b2");  // newest first
  EXPECT_EQ(first.json.value("truncated", false), true);
  Reply both = Get("/api/v1/failovers?limit=2");
  EXPECT_EQ(both.json["failovers"].size(), 2u);
  EXPECT_FALSE(both.json.contains("truncated")) << both.body;
}

TEST_F(ApiLogsLimitsTest, UnreadDefaultsToOneHundred) {
  for (int i = 0; i < 101; ++i) SendMessage("n" + std::to_string(i));
  Reply reply = Get("/api/v1/messages/unread?for=b2");
  EXPECT_EQ(reply.json["messages"].size(), 100u);
  EXPECT_EQ(reply.json.value("truncated", false), true);
}

TEST_F(ApiLogsLimitsTest, LogIsReadByOffsetRangeWithTheNextOffsetInTheHeaders) {
  std::string id = RunningJob();
  for (const char* chunk : {"0123", "4567", "89ab"}) ASSERT_EQ(AppendLog(id, chunk).status, 200);
  struct Case {
    std::string query, body, next;
  };
  for (const Case& c : std::vector<Case>{{"", "0123456789ab", "12"},
                                         {"?limit=5", "01234", "5"},
                                         {"?offset=5&limit=5", "56789", "10"},
                                         {"?offset=10&limit=5", "ab", "12"},
                                         {"?offset=12", "", "12"}}) {
    auto result = client_->Get("/api/v1/jobs/" + id + "/log" + c.query, {{"Authorization", "Bearer viewertok"}});
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << c.query;
    EXPECT_EQ(result->body, c.body) << c.query;
    EXPECT_EQ(result->get_header_value("X-Log-Next-Offset"), c.next) << c.query;
    EXPECT_EQ(result->get_header_value("X-Log-Size"), "12") << c.query;
  }
}

TEST_F(ApiLogsLimitsTest, LogIsCutAtTheCapAndTheAgentIsToldOnce) {
  std::string id = RunningJob();
  Reply first = AppendLog(id, std::string(1000, 'a'));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json, (nlohmann::json{{"appended_bytes", 1000}}));
  Reply crossing = AppendLog(id, std::string(100, 'b'));
  EXPECT_EQ(crossing.json, (nlohmann::json{{"appended_bytes", 24}, {"truncated", true}}));
  Reply after = AppendLog(id, "more");
  EXPECT_EQ(after.json, (nlohmann::json{{"appended_bytes", 0}, {"truncated", true}}));
  EXPECT_EQ(Get("/api/v1/jobs/" + id + "/log").body,
            std::string(1000, 'a') + std::string(24, 'b') + "\n[buildfarm: log truncated at 1 KiB]\n");
  EXPECT_EQ(Metric("buildfarm_scheduler_log_truncations_total"), 1);
}

// A follower reads only what is new each round, at most `limit` bytes at a time.
TEST_F(ApiLogsLimitsTest, FollowerGetsOnlyNewBytesInPiecesOfAtMostTheLimit) {
  std::string id = RunningJob();
  ASSERT_EQ(AppendLog(id, "old line\n").status, 200);
  std::atomic<bool> following{false};
  std::thread writer([&] {
    httplib::Client agent("http://" + app_->BoundAddresses().front());
    httplib::Headers auth{{"Authorization", "Bearer b1tok"}};
    agent.Post("/api/v1/jobs/" + id + "/attempts/1/log", auth, "new ", "text/plain");
    EXPECT_TRUE(testing::Eventually([&] { return following.load(); }, 10, "the follower streaming"));
    agent.Post("/api/v1/jobs/" + id + "/attempts/1/log", auth, "line\n", "text/plain");
    agent.Post("/api/v1/jobs/" + id + "/attempts/1/result", auth, R"({"exit_code": 0})", "application/json");
  });
  std::string streamed;
  std::size_t largest_piece = 0;
  httplib::Client reader("http://" + app_->BoundAddresses().front());
  // Starts at the end of what is there ("old line\n" is 9 bytes).
  auto result = reader.Get("/api/v1/jobs/" + id + "/log?follow=1&offset=9&limit=4",
                           {{"Authorization", "Bearer viewertok"}}, [&](const char* data, std::size_t n) {
                             streamed.append(data, n);
                             largest_piece = std::max(largest_piece, n);
                             following = true;
                             return true;
                           });
  writer.join();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(streamed, "new line\n");
  EXPECT_LE(largest_piece, 4u);
}

TEST_F(ApiLogsLimitsTest, RetentionSweepExpiresLogsAndDeletesOldJobsWithMetrics) {
  std::string id = RunningJob();
  ASSERT_EQ(AppendLog(id, "log\n").status, 200);
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 0})", "b1tok").status, 200);
  const double now = NowSeconds();
  ASSERT_TRUE(app_->retention().SweepOnce(now + 8 * kDay).ok());
  Reply expired = Get("/api/v1/jobs/" + id + "/log");
  EXPECT_EQ(expired.status, 410) << expired.body;
  EXPECT_NE(expired.json.value("error", "").find("retention.logs"), std::string::npos) << expired.body;
  EXPECT_TRUE(Job(id).contains("log_expired_at"));
  EXPECT_EQ(Metric(R"(buildfarm_scheduler_retention_deleted_total{kind="log_chunks"})"), 1);
  ASSERT_TRUE(app_->retention().SweepOnce(now + 31 * kDay).ok());
  EXPECT_EQ(Get("/api/v1/jobs/" + id).status, 404);
  EXPECT_EQ(Metric(R"(buildfarm_scheduler_retention_deleted_total{kind="jobs"})"), 1);
}

}  // namespace
}  // namespace buildfarm::scheduler
