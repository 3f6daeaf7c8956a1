// The message routes over HTTP: send (201, 200 on a duplicate), 400 naming the field for every bad
// input, who may send and read, unread/read/thread/search/archive, the secret-check seam, and
// buildfarm_messages_unread on /metrics.
#include <gtest/gtest.h>

#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/prom_text.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

class ApiMessagesTest : public ServerTest {
 protected:
  std::string Send(json body, const std::string& token = "admintok", int want = 201) {
    Reply reply = Post("/api/v1/messages", body.dump(), token);
    EXPECT_EQ(reply.status, want) << reply.body;
    return reply.json.value("id", "");
  }
  // buildfarm_messages_unread{to,priority} from /metrics; nullopt when the series is absent.
  std::optional<double> UnreadGauge(const std::string& to, const std::string& priority) {
    std::string error;
    auto parsed = testing::ParsePromText(Get("/metrics", "").body, &error);
    EXPECT_TRUE(parsed.has_value()) << error;
    if (!parsed) return std::nullopt;
    EXPECT_EQ(parsed->type["buildfarm_messages_unread"], "gauge");
    auto samples = parsed->ByKey();
    auto it = samples.find("buildfarm_messages_unread{priority=\"" + priority + "\",to=\"" + to + "\"}");
    if (it == samples.end()) return std::nullopt;
    return it->second.value;
  }
  std::vector<std::string> Subjects(const Reply& reply) {
    std::vector<std::string> out;
    for (const auto& m : reply.json.value("messages", json::array())) out.push_back(m.value("subject", ""));
    return out;
  }
};

TEST_F(ApiMessagesTest, BadInputIs400NamingTheField) {
  struct Case {
    std::string body, field;
  };
  const Case cases[] = {
      {"{nope", "body"},
      {R"({"to": "all", "subject": "s"})", "from"},
      {R"({"from": "b1", "subject": "s"})", "to"},
      {R"({"from": "b1", "to": "all"})", "subject"},
      {R"({"from": "B 1", "to": "all", "subject": "s"})", "from"},
      {R"({"from": "all", "to": "b2", "subject": "s"})", "from"},
      {R"({"from": "b1", "to": "all", "subject": ""})", "subject"},
      {R"({"from": "b1", "to": "all", "subject": "s", "priority": "urgent"})", "priority"},
      {R"({"from": "b1", "to": "all", "subject": "s", "type": "chat"})", "type"},
      {R"({"from": "b1", "to": "all", "subject": "s", "reply_to": "123"})", "reply_to"},
      {R"({"from": "b1", "to": "all", "subject": "s", "reply_to": "msg_nothing"})", "reply_to"},
      {R"({"from": "b1", "to": "all", "subject": "s", "metadata": [1]})", "metadata"},
      {R"({"from": "b1", "to": "all", "subject": "s", "expires_at": "soon"})", "expires_at"},
      {R"({"from": "b1", "to": "all", "subject": "s", "expires_at": "2001-01-01T00:00:00Z"})", "expires_at"},
      {R"({"from": "b1", "to": "all", "subject": "s", "expires_days": -1})", "expires_days"},
      {R"({"from": "b1", "to": "all", "subject": "s", "expires_days": 1, "expires_at": "2099-01-01T00:00:00Z"})",
       "expires_days"},
      {R"({"from": "b1", "to": "all", "subject": "s", "colour": "red"})", "colour"},
  };
  for (const Case& c : cases) {
    Reply reply = Post("/api/v1/messages", c.body);
    EXPECT_EQ(reply.status, 400) << c.body << " -> " << reply.body;
    EXPECT_EQ(reply.json.value("field", ""), c.field) << c.body << " -> " << reply.body;
  }
  EXPECT_TRUE(Subjects(Get("/api/v1/messages/search")).empty());
  EXPECT_EQ(Get("/api/v1/messages/unread").json.value("field", ""), "for");
  EXPECT_EQ(Get("/api/v1/messages/unread?for=Not_A_Node").json.value("field", ""), "for");
  EXPECT_EQ(Get("/api/v1/messages/search?type=chat").json.value("field", ""), "type");
  EXPECT_EQ(Get("/api/v1/messages/search?priority=p1").json.value("field", ""), "priority");
  EXPECT_EQ(Get("/api/v1/messages/search?limit=0").json.value("field", ""), "limit");
  EXPECT_EQ(Get("/api/v1/messages/search?server=-x").json.value("field", ""), "server");
  EXPECT_EQ(Get("/api/v1/messages/search?q=%21%21").json.value("field", ""), "q");
  EXPECT_EQ(Post("/api/v1/messages/archive", R"({"days": "thirty"})").json.value("field", ""), "days");
  std::string id = Send({{"from", "b1"}, {"to", "b2"}, {"subject", "s"}});
  EXPECT_EQ(Post("/api/v1/messages/" + id + "/read", R"({"reader": 7})").json.value("field", ""), "reader");
  EXPECT_EQ(Post("/api/v1/messages/" + id + "/read", R"({"reader": "b3"})").json.value("field", ""), "reader");
  EXPECT_EQ(Post("/api/v1/messages/" + id + "/read", R"({"reader": "b2", "when": 1})").json.value("field", ""), "when");
  EXPECT_EQ(Post("/api/v1/messages/msg_none/read", R"({"reader": "b2"})").status, 404);
}

TEST_F(ApiMessagesTest, SendDedupesAndRolesDecideWhoMaySendAndRead) {
  json message{{"from", "b1"}, {"to", "all"}, {"subject", "Critical Alert"}, {"body", "System issue"},
               {"priority", "critical"}, {"type", "heartbeat"}, {"metadata", {{"disk", "sda"}}}, {"expires_days", 7}};
  Reply first = Post("/api/v1/messages", message.dump(), "b1tok");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string id = first.json.value("id", "");
  EXPECT_EQ(id.rfind("msg_", 0), 0u);
  EXPECT_EQ(first.json["message"].value("type", ""), "heartbeat");
  EXPECT_TRUE(first.json["message"].contains("expires_at"));
  Reply again = Post("/api/v1/messages", message.dump(), "admintok");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json.value("id", ""), id);
  EXPECT_TRUE(again.json.value("duplicate", false));

  // An agent sends only as its own node; a viewer sends nothing; no token is 401.
  Reply spoofed = Post("/api/v1/messages", json{{"from", "b2"}, {"to", "all"}, {"subject", "x"}}.dump(), "b1tok");
  EXPECT_EQ(spoofed.status, 403);
  EXPECT_EQ(spoofed.json.value("field", ""), "from");
  EXPECT_EQ(Post("/api/v1/messages", json{{"from", "b1"}, {"to", "all"}, {"subject", "x"}}.dump(), "viewertok").status, 403);
  EXPECT_EQ(Post("/api/v1/messages", json{{"from", "b1"}, {"to", "all"}, {"subject", "x"}}.dump(), "").status, 401);

  // Agents and viewers read; an agent marks read only for itself; archive is for admins.
  EXPECT_EQ(Subjects(Get("/api/v1/messages/unread?for=b2", "b2tok")), std::vector<std::string>{"Critical Alert"});
  EXPECT_EQ(Subjects(Get("/api/v1/messages/unread?for=b2", "viewertok")), std::vector<std::string>{"Critical Alert"});
  EXPECT_EQ(Post("/api/v1/messages/" + id + "/read", R"({"reader": "b3"})", "b2tok").status, 403);
  EXPECT_EQ(Post("/api/v1/messages/" + id + "/read", R"({"reader": "b2"})", "viewertok").status, 403);
  Reply read = Post("/api/v1/messages/" + id + "/read", R"({"reader": "b2"})", "b2tok");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_TRUE(read.json.value("read", false));
  EXPECT_TRUE(read.json["read_by"].contains("b2"));
  EXPECT_TRUE(Subjects(Get("/api/v1/messages/unread?for=b2", "b2tok")).empty());
  EXPECT_EQ(Subjects(Get("/api/v1/messages/unread?for=b3", "b3tok")), std::vector<std::string>{"Critical Alert"});
  EXPECT_EQ(Post("/api/v1/messages/archive", "{}", "b2tok").status, 403);
  EXPECT_EQ(Post("/api/v1/messages/archive", "{}", "viewertok").status, 403);
}

TEST_F(ApiMessagesTest, ThreadSearchArchiveAndMetric) {
  std::string root = Send({{"from", "b1"}, {"to", "b2"}, {"subject", "need a build of main"}, {"type", "request"},
                           {"priority", "critical"}});
  std::string reply = Send({{"from", "b2"}, {"to", "b1"}, {"subject", "re: need a build"}, {"body", "on it"},
                            {"type", "response"}, {"reply_to", root}});
  ASSERT_FALSE(reply.empty());
  Reply thread = Get("/api/v1/messages/" + reply + "/thread", "viewertok");
  ASSERT_EQ(thread.status, 200) << thread.body;
  ASSERT_EQ(thread.json["messages"].size(), 2u);
  EXPECT_EQ(thread.json["messages"][0].value("id", ""), root);
  EXPECT_EQ(thread.json["messages"][1].value("reply_to", ""), root);
  EXPECT_EQ(Get("/api/v1/messages/msg_none/thread").status, 404);

  EXPECT_EQ(Subjects(Get("/api/v1/messages/search?q=build&type=request")),
            std::vector<std::string>{"need a build of main"});
  EXPECT_EQ(Subjects(Get("/api/v1/messages/search?server=b2&priority=critical")),
            std::vector<std::string>{"need a build of main"});

  EXPECT_EQ(UnreadGauge("b2", "critical"), 1.0);
  EXPECT_EQ(UnreadGauge("all", "critical"), 0.0);
  EXPECT_EQ(UnreadGauge("b1", "normal"), 1.0);
  ASSERT_EQ(Post("/api/v1/messages/" + root + "/read", R"({"reader": "b2"})").status, 200);
  EXPECT_EQ(UnreadGauge("b2", "critical"), std::nullopt);

  // Read but only seconds old: kept at 30 days, archived at 0.
  Reply kept = Post("/api/v1/messages/archive", "");
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(kept.json.value("archived", -1), 0);
  Reply archived = Post("/api/v1/messages/archive", R"({"days": 0})");
  ASSERT_EQ(archived.status, 200) << archived.body;
  ASSERT_EQ(archived.json.value("archived", -1), 1);
  EXPECT_EQ(archived.json["messages"][0].value("id", ""), root);
  EXPECT_TRUE(archived.json["messages"][0].contains("archived_at"));
  EXPECT_EQ(Get("/api/v1/messages/" + root).json.value("archived_at", "").empty(), false);
  EXPECT_EQ(Subjects(Get("/api/v1/messages/search")), std::vector<std::string>{"re: need a build"});
}

TEST_F(ApiMessagesTest, JobSubmissionIsCheckedAgainstTheJobSchemaToo) {
  Reply reply = Post("/api/v1/jobs", R"({"command": "true", "dependencies": [""]})");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json.value("field", ""), "dependencies/0") << reply.body;
  reply = Post("/api/v1/jobs", R"({"jobs": [{"command": "true"}, {"command": "true", "dependencies": [""]}]})");
  EXPECT_EQ(reply.json.value("field", ""), "jobs/1/dependencies/0") << reply.body;
}

class SecretCheckedMessagesTest : public ApiMessagesTest {
 protected:
  void BeforeStart(SchedulerApp& app) override {
    app.SetSecretCheck([](std::string_view text) {
      return text.find("hunter2") == std::string_view::npos ? Status::Ok()
                                                            : InvalidArgument("contains a likely password");
    });
  }
};

TEST_F(SecretCheckedMessagesTest, RefusedTextIs400NamingTheFieldWithoutTheSecret) {
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {{{"from", "b1"}, {"to", "all"}, {"subject", "s"}, {"body", "password: hunter2"}}, "body"},
           {{{"from", "b1"}, {"to", "all"}, {"subject", "hunter2"}}, "subject"},
           {{{"from", "b1"}, {"to", "all"}, {"subject", "s"}, {"metadata", {{"p", "hunter2"}}}}, "metadata"}}) {
    Reply reply = Post("/api/v1/messages", body.dump());
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.json.value("field", ""), field);
    EXPECT_EQ(reply.body.find("hunter2"), std::string::npos) << reply.body;
  }
  EXPECT_TRUE(Subjects(Get("/api/v1/messages/search")).empty());
  Send({{"from", "b1"}, {"to", "all"}, {"subject", "password policy"}, {"body", "rotate quarterly"}});
}

}  // namespace
}  // namespace buildfarm::scheduler
