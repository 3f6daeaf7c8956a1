// Tokens made through /api/v1/tokens: they work at once (no restart), revoked and expired ones get 401
// with only "unknown or expired token" in the answer, and each role may do exactly its routes.
#include <nlohmann/json.hpp>

#include "tests/scheduler/server/server_fixture.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

class TokenApiTest : public ServerTest {
 protected:
  // Creates a token through the API (as admin) and returns its secret.
  std::string CreateToken(const json& body) {
    Reply reply = Post("/api/v1/tokens", body.dump());
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json.value("secret", "");
  }
};

TEST_F(TokenApiTest, CreatedTokenWorksAtOnceAndStopsWhenRevoked) {
  const std::string secret = CreateToken({{"name", "dash"}, {"role", "viewer"}});
  ASSERT_FALSE(secret.empty());
  EXPECT_EQ(Get("/api/v1/jobs", secret).status, 200);
  Reply revoked = Post("/api/v1/tokens/dash/revoke", "{}");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  Reply refused = Get("/api/v1/jobs", secret);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json.value("error", ""), "unknown or expired token");
  EXPECT_EQ(Post("/api/v1/tokens/dash/revoke", "{}").status, 404);
}

TEST_F(TokenApiTest, ExpiredTokenGets401) {
  const double now = NowSeconds();
  auto secret = app_->token_store().Create({"old", "admin", "", now - 1}, now - 3600);
  ASSERT_TRUE(secret.ok());
  Reply refused = Get("/api/v1/jobs", *secret);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json.value("error", ""), "unknown or expired token");
  // The reason is kept for the operator (log and audit log), not sent to the client.
  auto entries = app_->audit().List({std::nullopt, "", 10});
  ASSERT_TRUE(entries.ok());
  ASSERT_FALSE(entries->empty());
  EXPECT_EQ(entries->back().event.result, "401");
  EXPECT_NE(entries->back().event.detail.find("token old expired"), std::string::npos) << entries->back().event.detail;
  const std::string expiring = CreateToken({{"name", "soon"}, {"role", "viewer"}, {"expires_in", "1h"}});
  EXPECT_EQ(Get("/api/v1/jobs", expiring).status, 200);
}

TEST_F(TokenApiTest, EachRoleMayDoOnlyItsRoutes) {
  RegisterNode("b1");
  const std::string op = CreateToken({{"name", "ci"}, {"role", "operator"}});
  const std::string viewer = CreateToken({{"name", "grafana2"}, {"role", "viewer"}});
  const std::string hook = CreateToken({{"name", "am2"}, {"role", "webhook"}});
  const std::string job = json{{"command", "true"}}.dump();
  const std::string token_body = json{{"name", "x"}, {"role", "viewer"}}.dump();
  struct Case {
    std::string who;
    std::string token;
    std::string method;
    std::string path;
    std::string body;
    int want;
  };
  const Case cases[] = {
      {"operator", op, "POST", "/api/v1/jobs", job, 201},
      {"operator", op, "GET", "/api/v1/jobs", "", 200},
      {"operator", op, "POST", "/api/v1/tokens", token_body, 403},
      {"operator", op, "GET", "/api/v1/tokens", "", 403},
      {"operator", op, "GET", "/api/v1/audit", "", 403},
      {"operator", op, "POST", "/api/v1/nodes/b1/cordon", "{}", 403},
      {"webhook (api)", hook, "POST", "/api/v1/jobs", job, 403},
      {"webhook (config)", "webhooktok", "POST", "/api/v1/jobs", job, 403},
      {"viewer", viewer, "POST", "/api/v1/jobs", job, 403},
      {"viewer", viewer, "POST", "/api/v1/nodes/b1/drain", "{}", 403},
      {"viewer", viewer, "POST", "/api/v1/tokens", token_body, 403},
      {"viewer", viewer, "POST", "/api/v1/messages/archive", "{}", 403},
      {"viewer", viewer, "GET", "/api/v1/nodes", "", 200},
  };
  for (const Case& c : cases) {
    Reply reply = Call(c.method, c.path, c.token, c.body);
    EXPECT_EQ(reply.status, c.want) << c.who << " " << c.method << " " << c.path << ": " << reply.body;
  }
  // The operator's job can be cancelled and retried by the operator.
  const std::string id = Post("/api/v1/jobs", job, op).json.value("id", "");
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/cancel", "{}", op).status, 200);
  EXPECT_EQ(Post("/api/v1/jobs/" + id + "/retry", "{}", op).status, 200);
}

TEST_F(TokenApiTest, AgentTokenIsBoundToItsNode) {
  const std::string agent = CreateToken({{"name", "b9-agent"}, {"role", "agent"}, {"node", "b9"}});
  json node{{"name", "b9"}, {"labels", json::object()}, {"profiles", {"linux"}},
            {"capacity", {{"cores", 4}, {"memory_bytes", 1LL << 30}, {"disk_bytes", 1LL << 30}}}};
  EXPECT_EQ(Post("/api/v1/agents/register", node.dump(), agent).status, 200);
  EXPECT_EQ(Post("/api/v1/agents/b9/heartbeat", R"({"running": []})", agent).status, 200);
  EXPECT_EQ(Post("/api/v1/agents/b1/heartbeat", R"({"running": []})", agent).status, 403);
}

TEST_F(TokenApiTest, ListingShowsNoSecretOrHash) {
  const std::string secret = CreateToken({{"name", "ci"}, {"role", "operator"}, {"expires_in", "30d"}});
  ASSERT_EQ(Get("/api/v1/jobs", secret).status, 200);  // sets last_used
  Reply listed = Get("/api/v1/tokens");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  EXPECT_EQ(listed.body.find("secret"), std::string::npos);
  EXPECT_EQ(listed.body.find("hash"), std::string::npos);
  EXPECT_EQ(listed.body.find("admintok"), std::string::npos);
  json ci;
  for (const json& token : listed.json["tokens"]) {
    if (token["name"] == "ci") ci = token;
    if (token["name"] == "ops") EXPECT_EQ(token["source"], "config");
  }
  ASSERT_TRUE(ci.is_object()) << listed.body;
  EXPECT_EQ(ci["role"], "operator");
  EXPECT_EQ(ci["source"], "api");
  EXPECT_TRUE(ci["expires"].is_string());
  EXPECT_TRUE(ci["last_used"].is_string());
}

TEST_F(TokenApiTest, BadInputNamesTheField) {
  struct Case {
    json body;
    int status;
    std::string field;
  };
  const Case cases[] = {
      {{{"role", "viewer"}}, 400, "name"},
      {{{"name", "a b"}, {"role", "viewer"}}, 400, "name"},
      {{{"name", "x"}, {"role", "root"}}, 400, "role"},
      {{{"name", "x"}, {"role", "agent"}}, 400, "node"},
      {{{"name", "x"}, {"role", "viewer"}, {"node", "b1"}}, 400, "node"},
      {{{"name", "x"}, {"role", "viewer"}, {"expires_in", "soon"}}, 400, "expires_in"},
      {{{"name", "x"}, {"role", "viewer"}, {"expires_in", -5}}, 400, "expires_in"},
      {{{"name", "x"}, {"role", "viewer"}, {"secret", "mine"}}, 400, "secret"},
  };
  for (const Case& c : cases) {
    Reply reply = Post("/api/v1/tokens", c.body.dump());
    EXPECT_EQ(reply.status, c.status) << c.body.dump() << ": " << reply.body;
    EXPECT_EQ(reply.json.value("field", ""), c.field) << c.body.dump() << ": " << reply.body;
  }
  // Config tokens are the bootstrap: not made or revoked here.
  Reply taken = Post("/api/v1/tokens", json{{"name", "ops"}, {"role", "viewer"}}.dump());
  EXPECT_EQ(taken.status, 409) << taken.body;
  Reply config = Post("/api/v1/tokens/ops/revoke", "{}");
  EXPECT_EQ(config.status, 409) << config.body;
  EXPECT_EQ(Get("/api/v1/jobs", "admintok").status, 200);
}

}  // namespace
}  // namespace buildfarm::scheduler
