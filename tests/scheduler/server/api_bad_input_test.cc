// Issue 11's bad-input findings against the in-process API (items 8, 11, 15, 19), each with the input
// the issue gives: every refusal is 400/405/413 with the documented JSON error naming the field.
#include <gtest/gtest.h>

#include "common/bounded_json.h"
#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/process.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

// `depth` objects nested as the metadata of a message: {"a":{"a":...{}...}}.
std::string DeepMetadataMessage(int depth) {
  std::string metadata;
  metadata.reserve(static_cast<std::size_t>(depth) * 6 + 2);
  for (int i = 0; i < depth; ++i) metadata += R"({"a":)";
  metadata += "{}";
  metadata += std::string(static_cast<std::size_t>(depth), '}');
  return R"({"from": "b1", "to": "all", "subject": "deep", "metadata": )" + metadata + "}";
}

class ApiBadInputTest : public ServerTest {
 protected:
  // The status and body of `request` sent as is (httplib's client always adds Content-Length).
  std::pair<int, std::string> Raw(const std::string& request) {
    const std::string address = app_->BoundAddresses().front();
    std::string reply = testing::RawHttpExchange(std::stoi(address.substr(address.rfind(':') + 1)), request);
    int status = reply.size() > 12 ? std::atoi(reply.c_str() + 9) : 0;
    auto blank = reply.find("\r\n\r\n");
    return {status, blank == std::string::npos ? "" : reply.substr(blank + 4)};
  }

  void ExpectError(const Reply& reply, int status, const std::string& field, const std::string& context) {
    EXPECT_EQ(reply.status, status) << context << " -> " << reply.body;
    EXPECT_TRUE(reply.json.is_object() && reply.json.contains("error")) << context << " -> " << reply.body;
    EXPECT_EQ(reply.json.value("field", ""), field) << context << " -> " << reply.body;
  }
};

TEST(BoundedJsonTest, CountsNestingOutsideStringsAndStopsPastTheLimits) {
  EXPECT_EQ(ScanJsonShape(R"({"a": [1, {"b": "[[[{{{"}]})").depth, 3);
  EXPECT_EQ(ScanJsonShape(R"(["\"[[", "\\", [[]]])").depth, 3);
  EXPECT_EQ(ScanJsonShape(std::string(1 << 20, '[')).depth, 65);
  EXPECT_TRUE(ParseBoundedJson(std::string(64, '[') + std::string(64, ']')).ok());
  auto deep = ParseBoundedJson(std::string(65, '[') + std::string(65, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("nested more than 64 levels"), std::string::npos) << deep.status().message();
  EXPECT_EQ(deep.status().message().rfind("body: ", 0), 0u);
  // Wide rather than deep: a million empty arrays would be a parse tree of ~100 MB.
  std::string wide = "[";
  for (int i = 0; i < 300000; ++i) wide += "[],";
  wide += "[]]";
  auto many = ParseBoundedJson(wide);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.status().message().find("more than 200000 values"), std::string::npos) << many.status().message();
}

// Item 11: metadata nested 60,000 deep (360 KB, an agent's token) crashed the scheduler.
TEST_F(ApiBadInputTest, DeeplyNestedBodiesAre400OnEveryRouteAndTheServerLives) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  const std::string message = DeepMetadataMessage(60000);
  ASSERT_GT(message.size(), 350000u);
  Reply reply = Post("/api/v1/messages", message, "b1tok");
  ExpectError(reply, 400, "body", "60,000-deep metadata");
  EXPECT_NE(reply.json.value("error", "").find("64"), std::string::npos) << reply.body;
  const std::string deep_array = std::string(1 << 19, '[') + std::string(1 << 19, ']');
  const std::pair<std::string, std::string> routes[] = {
      {"/api/v1/jobs", "admintok"},          {"/api/v1/agents/register", "b1tok"},
      {"/api/v1/agents/b1/heartbeat", "b1tok"}, {"/api/v1/messages/archive", "admintok"},
      {"/api/v1/alertmanager", "admintok"},
  };
  for (const auto& [path, token] : routes) ExpectError(Post(path, deep_array, token), 400, "body", path);
  // Still serving, and a message 64 levels deep is fine.
  EXPECT_EQ(Get("/healthz", "").status, 200);
  EXPECT_EQ(Post("/api/v1/messages", DeepMetadataMessage(60), "b1tok").status, 201);
}

// Items 8 and 15 (and 19's memory_bytes and blank command): refused at submission, naming the field.
TEST_F(ApiBadInputTest, BadIdsBranchesCommitsAndCommandsAre400NamingTheField) {
  struct Case {
    json body;
    std::string field;
  };
  const Case cases[] = {
      {{{"id", "a/b"}, {"command", "true"}}, "id"},
      {{{"id", "col a"}, {"command", "true"}}, "id"},
      {{{"id", "-x"}, {"command", "true"}}, "id"},
      {{{"id", std::string("nul\0id", 6)}, {"command", "true"}}, "id"},
      {{{"id", "esc\x1b]0;title\x07"}, {"command", "true"}}, "id"},
      {{{"command", std::string("echo safe\0rm -rf ~", 18)}}, "command"},
      {{{"command", "echo \x1b[2J"}}, "command"},
      {{{"command", "   "}}, "command"},
      {{{"command", "true"}, {"branch", "main\r\nX"}}, "branch"},
      {{{"command", "true"}, {"branch", "../etc"}}, "branch"},
      {{{"command", "true"}, {"branch", "a b"}}, "branch"},
      {{{"command", "true"}, {"commit", std::string("abc\0", 4)}}, "commit"},
      {{{"command", "true"}, {"commit", "HEAD; rm"}}, "commit"},
      {{{"command", "true"}, {"requirements", {{"memory_bytes", 1.5}}}}, "requirements/memory_bytes"},
      {{{"command", "true"}, {"dependencies", {"x/y"}}}, "dependencies/0"},
      {{{"jobs", {{{"id", "ok"}, {"command", "true"}}, {{"id", "b\tad"}, {"command", "true"}}}}}, "jobs/1/id"},
  };
  for (const Case& c : cases) ExpectError(Post("/api/v1/jobs", c.body.dump()), 400, c.field, c.body.dump());
  EXPECT_EQ(Get("/api/v1/jobs").json["jobs"].size(), 0u);
  // What is allowed is said.
  Reply id = Post("/api/v1/jobs", R"({"id": "a/b", "command": "true"})");
  EXPECT_NE(id.json.value("error", "").find("A-Z, a-z, 0-9"), std::string::npos) << id.body;
  // Ordinary values still pass: multi-line commands, slashes in branches, fractional cores.
  Submit({{"id", "build-1.x_y"}, {"command", "make\n\tmake test"}, {"branch", "release/2.0"}, {"commit", "abc123"},
          {"requirements", {{"cores", 0.5}, {"memory_bytes", 1024}}}});
  // Node names at assignment are DNS labels.
  ExpectError(Post("/api/v1/jobs/build-1.x_y/assign", R"({"node": "B 1"})"), 400, "node", "assign");
}

// Item 19: the answers that went out empty now carry the JSON error.
TEST_F(ApiBadInputTest, TransportRefusalsWrongMethodsAndUnknownRoutesGetJsonErrors) {
  auto [status, body] = Raw("POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admintok\r\n"
                            "Connection: close\r\n\r\n");
  // The transport refuses it from its head (411, common/http_transport.h), naming the header.
  EXPECT_EQ(status, 411);
  json parsed = json::parse(body, nullptr, false);
  EXPECT_EQ(parsed.value("field", ""), "Content-Length") << body;

  httplib::Headers auth{{"Authorization", "Bearer admintok"}};
  auto form = client_->Post("/api/v1/jobs", auth, std::string(9000, 'a'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 413);
  parsed = json::parse(form->body, nullptr, false);
  EXPECT_EQ(parsed.value("field", ""), "body") << form->body;
  EXPECT_NE(parsed.value("error", "").find("8 KiB"), std::string::npos) << form->body;

  auto wrong = client_->Delete("/api/v1/jobs", auth);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "POST, GET");
  EXPECT_EQ(json::parse(wrong->body, nullptr, false).value("field", ""), "method") << wrong->body;
  Reply get_only = Post("/api/v1/nodes", "{}");
  ExpectError(get_only, 405, "method", "POST /api/v1/nodes");

  Reply unknown = Get("/api/v1/nope");
  ExpectError(unknown, 404, "path", "GET /api/v1/nope");
}

// Item 19: schema errors say what is allowed; a reader nobody knows is refused; unknown fields on
// register, heartbeat and result are refused.
TEST_F(ApiBadInputTest, ErrorsSayWhatIsAllowedAndUnknownReadersAndFieldsAreRefused) {
  Reply priority = Post("/api/v1/messages", R"({"from": "b1", "to": "all", "subject": "s", "priority": "urgent"})");
  ExpectError(priority, 400, "priority", "priority");
  EXPECT_NE(priority.json.value("error", "").find("critical, high, normal or low"), std::string::npos) << priority.body;
  Reply type = Post("/api/v1/messages", R"({"from": "b1", "to": "all", "subject": "s", "type": "chat"})");
  EXPECT_NE(type.json.value("error", "").find("info, warning"), std::string::npos) << type.body;

  ASSERT_EQ(RegisterNode("b1").status, 200);
  Reply sent = Post("/api/v1/messages", R"({"from": "b1", "to": "all", "subject": "hello"})");
  ASSERT_EQ(sent.status, 201) << sent.body;
  const std::string id = sent.json.value("id", "");
  ExpectError(Post("/api/v1/messages/" + id + "/read", R"({"reader": "ghost"})"), 400, "reader", "ghost");
  EXPECT_TRUE(Get("/api/v1/messages/" + id).json["read_by"].empty());
  EXPECT_EQ(Post("/api/v1/messages/" + id + "/read", R"({"reader": "b1"})").status, 200);

  json registration{{"name", "b1"}, {"capacity", {{"cores", 4}}}, {"colour", "blue"}};
  Reply reg = Post("/api/v1/agents/register", registration.dump(), "b1tok");
  ExpectError(reg, 400, "colour", "register");
  EXPECT_NE(reg.json.value("error", "").find("allowed: name, labels, profiles, capacity"), std::string::npos) << reg.body;
  ExpectError(Post("/api/v1/agents/b1/heartbeat", R"({"running": [], "load": 1})", "b1tok"), 400, "load", "heartbeat");
  ExpectError(Post("/api/v1/agents/b1/heartbeat", R"({"running": [{"job_id": "x", "attempt": 1, "pid": 3}]})", "b1tok"),
              400, "running/0/pid", "heartbeat item");
}

}  // namespace
}  // namespace buildfarm::scheduler
