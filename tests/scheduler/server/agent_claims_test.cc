// Issue 11, item 3: an agent token's claim limits. A job that stole its node's token must not be able to
// re-register the node with invented labels or capacity to attract other work.
#include "scheduler/server/agent_claims.h"

#include <gtest/gtest.h>

#include "scheduler/server/config.h"
#include "tests/scheduler/server/server_fixture.h"

namespace buildfarm::scheduler {
namespace {

NodeRecord Claim(std::map<std::string, std::string> labels, double cores, std::int64_t memory = 1 << 30) {
  NodeRecord node;
  node.name = "b1";
  node.labels = std::move(labels);
  node.capacity.cores = cores;
  node.capacity.memory_bytes = memory;
  return node;
}

Principal AgentWith(AgentClaimLimits limits) { return Principal{"b1", Role::kAgent, "b1", std::move(limits)}; }

TEST(CheckAgentClaimsTest, LabelsAndCapacityWithinTheTokensLimits) {
  AgentClaimLimits pinned;
  pinned.labels = std::map<std::string, std::string>{{"os", "linux"}, {"pool", "slow"}};
  pinned.max_cores = 8;
  pinned.max_memory_bytes = 16LL << 30;
  struct Case {
    std::string name;
    Principal who;
    NodeRecord node;
    std::string refused_field;  // empty: accepted
  };
  const Case cases[] = {
      {"exact labels", AgentWith(pinned), Claim({{"os", "linux"}, {"pool", "slow"}}, 8), ""},
      {"fewer labels", AgentWith(pinned), Claim({{"os", "linux"}}, 2), ""},
      {"invented label", AgentWith(pinned), Claim({{"os", "linux"}, {"gpu", "true"}}, 8), "labels/gpu"},
      {"other value", AgentWith(pinned), Claim({{"pool", "fast"}}, 8), "labels/pool"},
      {"more cores", AgentWith(pinned), Claim({{"os", "linux"}}, 512), "capacity/cores"},
      {"more memory", AgentWith(pinned), Claim({{"os", "linux"}}, 8, 1LL << 40), "capacity/memory_bytes"},
      {"no limits", AgentWith({}), Claim({{"gpu", "true"}}, 512), ""},
      {"admin is not limited", Principal{"ops", Role::kAdmin, "", pinned}, Claim({{"gpu", "true"}}, 512), ""},
  };
  for (const Case& c : cases) {
    auto refused = CheckAgentClaims(c.who, c.node);
    if (c.refused_field.empty()) {
      EXPECT_FALSE(refused) << c.name << ": " << refused->message;
    } else {
      ASSERT_TRUE(refused) << c.name;
      EXPECT_EQ(refused->field, c.refused_field) << c.name;
      EXPECT_NE(refused->message.find("token b1"), std::string::npos) << refused->message;
    }
  }
  Principal pinned_agent = AgentWith(pinned);
  auto refused = CheckAgentClaims(pinned_agent, Claim({{"gpu", "true"}}, 1));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->message, "token b1 may not claim label gpu=true (allowed: os=linux, pool=slow)");
}

TEST(AgentClaimsConfigTest, ParsedOnAgentTokensOnly) {
  const std::string hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  auto config = ParseSchedulerConfig("tokens:\n  - {name: b1, role: agent, node: b1, sha256: " + hash +
                                         ", labels: {os: linux}, capacity: {cores: 8, memory_bytes: 1024}}\n",
                                     "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const AgentClaimLimits& claims = config->tokens[0].claims;
  ASSERT_TRUE(claims.labels);
  EXPECT_EQ(*claims.labels, (std::map<std::string, std::string>{{"os", "linux"}}));
  EXPECT_EQ(claims.max_cores, 8);
  EXPECT_EQ(claims.max_memory_bytes, 1024);
  EXPECT_FALSE(claims.max_disk_bytes);

  struct Case {
    std::string token, key;
  };
  const Case errors[] = {
      {"{name: a, role: admin, sha256: " + hash + ", labels: {os: linux}}", "tokens[0].labels"},
      {"{name: a, role: agent, node: a, sha256: " + hash + ", labels: [os]}", "tokens[0].labels"},
      {"{name: a, role: agent, node: a, sha256: " + hash + ", labels: {os: [a]}}", "tokens[0].labels.os"},
      {"{name: a, role: agent, node: a, sha256: " + hash + ", capacity: {gpus: 1}}", "tokens[0].capacity.gpus"},
      {"{name: a, role: agent, node: a, sha256: " + hash + ", capacity: {cores: -1}}", "tokens[0].capacity.cores"},
      {"{name: a, role: agent, node: a, sha256: " + hash + ", capacity: {cores: many}}", "tokens[0].capacity.cores"},
  };
  for (const Case& c : errors) {
    auto bad = ParseSchedulerConfig("tokens: [" + c.token + "]\n", "c.yaml");
    ASSERT_FALSE(bad.ok()) << c.token;
    EXPECT_NE(bad.status().message().find("c.yaml: " + c.key + ":"), std::string::npos) << bad.status().message();
  }
}

class AgentClaimsApiTest : public ServerTest {
 protected:
  void Configure(SchedulerConfig& config) override {
    for (TokenConfig& token : config.tokens) {
      if (token.name != "b1") continue;
      token.claims.labels = std::map<std::string, std::string>{{"os", "linux"}};
      token.claims.max_cores = 8;
    }
  }
};

TEST_F(AgentClaimsApiTest, ARegistrationBeyondTheTokensLimitsIsRefusedAndChangesNothing) {
  ASSERT_EQ(RegisterNode("b1", 8).status, 200);
  nlohmann::json invented{{"name", "b1"}, {"labels", {{"os", "linux"}, {"gpu", "true"}}}, {"capacity", {{"cores", 8}}}};
  Reply reply = Post("/api/v1/agents/register", invented.dump(), "b1tok");
  EXPECT_EQ(reply.status, 403) << reply.body;
  EXPECT_EQ(reply.json.value("field", ""), "labels/gpu") << reply.body;
  EXPECT_EQ(RegisterNode("b1", 64).status, 403);
  nlohmann::json node = Get("/api/v1/nodes/b1").json;
  EXPECT_FALSE(node.dump().find("gpu") != std::string::npos) << node.dump();
  // b2's token has no limits; an admin may register anything.
  EXPECT_EQ(RegisterNode("b2", 64).status, 200);
  EXPECT_EQ(Post("/api/v1/agents/register", invented.dump(), "admintok").status, 200);
}

}  // namespace
}  // namespace buildfarm::scheduler
