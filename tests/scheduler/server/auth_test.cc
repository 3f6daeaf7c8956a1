#include "scheduler/server/auth.h"

#include <gtest/gtest.h>

#include "tests/scheduler/server/server_fixture.h"

namespace buildfarm::scheduler {
namespace {

TEST(Sha256HexTest, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenTableTest, AuthenticatesByDigestAndRejectsTheRest) {
  TokenTable table({{"ops", Role::kAdmin, "", Sha256Hex("s3cret")}, {"b1", Role::kAgent, "b1", Sha256Hex("agent")}});
  auto ops = table.Authenticate("Bearer s3cret");
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(ops->name, "ops");
  EXPECT_EQ(ops->role, Role::kAdmin);
  auto agent = table.Authenticate("Bearer agent");
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(agent->node, "b1");
  for (const char* header : {"", "Bearer ", "Bearer wrong", "Basic s3cret", "bearer s3cret", "Bearer s3cret "}) {
    auto who = table.Authenticate(header);
    ASSERT_FALSE(who.ok()) << header;
    EXPECT_EQ(who.status().code(), StatusCode::kUnauthenticated) << header;
  }
}

TEST(AuthorizeTest, RolesAndNodeBinding) {
  Principal admin{"ops", Role::kAdmin, ""};
  Principal viewer{"v", Role::kViewer, ""};
  Principal agent{"b1", Role::kAgent, "b1"};
  EXPECT_TRUE(Authorize(admin, Access::kAdmin).ok());
  EXPECT_TRUE(Authorize(admin, Access::kAgent, "b9").ok());
  EXPECT_TRUE(Authorize(viewer, Access::kRead).ok());
  EXPECT_FALSE(Authorize(viewer, Access::kAdmin).ok());
  EXPECT_FALSE(Authorize(viewer, Access::kAgent, "b1").ok());
  EXPECT_TRUE(Authorize(agent, Access::kAgent, "b1").ok());
  EXPECT_FALSE(Authorize(agent, Access::kAgent, "b2").ok());
  EXPECT_FALSE(Authorize(agent, Access::kRead).ok());
  EXPECT_FALSE(Authorize(agent, Access::kAdmin).ok());
}

class AuthApiTest : public ServerTest {};

TEST_F(AuthApiTest, StatusPerRoleAndRoute) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(RegisterNode("b2").status, 200);
  const std::string job = nlohmann::json{{"command", "true"}}.dump();
  struct Case {
    std::string method, path, token, body;
    int want;
  };
  const Case cases[] = {
      {"GET", "/api/v1/jobs", "", "", 401},
      {"GET", "/api/v1/jobs", "nonsense", "", 401},
      {"GET", "/api/v1/jobs", "viewertok", "", 200},
      {"GET", "/api/v1/jobs", "admintok", "", 200},
      {"GET", "/api/v1/jobs", "b1tok", "", 403},
      {"GET", "/api/v1/nodes", "viewertok", "", 200},
      {"POST", "/api/v1/jobs", "", job, 401},
      {"POST", "/api/v1/jobs", "viewertok", job, 403},
      {"POST", "/api/v1/jobs", "b1tok", job, 403},
      {"POST", "/api/v1/jobs", "admintok", job, 201},
      {"POST", "/api/v1/nodes/b1/cordon", "viewertok", "", 403},
      {"POST", "/api/v1/nodes/b1/cordon", "b1tok", "", 403},
      {"POST", "/api/v1/nodes/b1/cordon", "admintok", "", 200},
      {"POST", "/api/v1/nodes/b1/uncordon", "admintok", "", 200},
      {"POST", "/api/v1/agents/b1/heartbeat", "b1tok", "{}", 200},
      {"POST", "/api/v1/agents/b1/heartbeat", "b2tok", "{}", 403},
      {"POST", "/api/v1/agents/b1/heartbeat", "viewertok", "{}", 403},
      {"POST", "/api/v1/agents/b1/heartbeat", "admintok", "{}", 200},
      {"POST", "/api/v1/agents/register", "b2tok", R"({"name": "b1"})", 403},
      {"POST", "/api/v1/agents/register", "viewertok", R"({"name": "b1"})", 403},
      {"GET", "/api/v1/agents/b1/assignments?wait_seconds=0", "b2tok", "", 403},
      {"GET", "/api/v1/agents/b1/assignments?wait_seconds=0", "b1tok", "", 200},
      {"GET", "/metrics", "", "", 200},
      {"GET", "/healthz", "", "", 200},
  };
  for (const Case& c : cases) {
    Reply reply = Call(c.method, c.path, c.token, c.body);
    EXPECT_EQ(reply.status, c.want) << c.method << " " << c.path << " as " << c.token << ": " << reply.body;
    if (c.want == 401 || c.want == 403) EXPECT_TRUE(reply.json.contains("error")) << reply.body;
  }
}

TEST_F(AuthApiTest, AgentReportsOnlyForItsOwnNode) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(RegisterNode("b2").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b2/cordon", "").status, 200);
  std::string id = Submit({{"command", "true"}});
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
  ASSERT_EQ(Job(id)["assigned_to"], "b1");
  // b2's token cannot start, log or finish b1's live attempt: wrong node, 403 as docs/api.md says
  // (issue 11, item 18: it was 409 "superseded"), and nothing changes.
  for (const char* what : {"start", "log", "result"}) {
    Reply reply = Post("/api/v1/jobs/" + id + "/attempts/1/" + what, R"({"exit_code": 0})", "b2tok");
    EXPECT_EQ(reply.status, 403) << what << ": " << reply.body;
    EXPECT_NE(reply.json.value("error", "").find("belongs to node b1"), std::string::npos) << reply.body;
  }
  EXPECT_EQ(Job(id)["status"], "assigned");
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/start", "", "b1tok").status, 200);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/attempts/1/result", R"({"exit_code": 0, "duration_seconds": 1.5})", "b1tok").status,
            200);
  EXPECT_EQ(Job(id)["status"], "completed");
}

}  // namespace
}  // namespace buildfarm::scheduler
