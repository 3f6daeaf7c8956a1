// build-cli token (create, list, revoke) and audit (list, --verify), run as a child process against
// FakeScheduler: what they send, what they print, and usage errors that name the flag.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_scheduler.h"

namespace buildfarm::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "bft_0123456789abcdef_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

class CliTokensTest : public ::testing::Test {
 protected:
  CliRun Run(const std::vector<std::string>& args) {
    return RunBinary(args, {"BUILDFARM_URL=" + fake.url(), "BUILDFARM_TOKEN=admin-token"});
  }
  FakeScheduler fake;
};

TEST_F(CliTokensTest, CreatePostsTheFieldsAndPrintsTheSecretOnce) {
  fake.Respond("POST /api/v1/tokens", 201,
               json{{"name", "ci"}, {"role", "operator"}, {"source", "api"}, {"created", "2026-12-02T10:00:00.000Z"},
                    {"expires", "2027-01-01T10:00:00.000Z"}, {"last_used", nullptr}, {"secret", kSecret}}
                   .dump());
  CliRun run = Run({"token", "create", "--name", "ci", "--role", "operator", "--expires", "30d"});
  ASSERT_EQ(run.code, 0) << run.output;
  RecordedRequest request = fake.last();
  EXPECT_EQ(request.path, "/api/v1/tokens");
  EXPECT_EQ(json::parse(request.body), json({{"name", "ci"}, {"role", "operator"}, {"expires_in", "30d"}}));
  EXPECT_EQ(run.output,
            "Token ci (operator) created, expires 2027-01-01T10:00:00.000Z. Its secret, shown only this once:\n" +
                std::string(kSecret) + "\n");

  run = Run({"token", "create", "--name", "b1", "--role", "agent", "--node", "b1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(json::parse(fake.last().body), json({{"name", "b1"}, {"role", "agent"}, {"node", "b1"}}));
}

TEST_F(CliTokensTest, UsageErrorsNameTheFlagAndSendNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  const Case cases[] = {
      {{"token", "create", "--role", "viewer"}, "--name"},
      {{"token", "create", "--name", "x"}, "--role"},
      {{"token", "create", "--name", "x", "--role", "viewer", "--expires", "soon"}, "--expires"},
      {{"token", "revoke"}, "NAME"},
      {{"token", "rotate"}, "rotate"},
      {{"token"}, "create, list, revoke"},
      {{"audit", "--verify", "--node", "b1"}, "--verify"},
      {{"audit", "--limit", "0"}, "limit"},
  };
  for (const Case& c : cases) {
    CliRun run = Run(c.args);
    EXPECT_EQ(run.code, 2) << c.names << ": " << run.output;
    EXPECT_NE(run.output.find(c.names), std::string::npos) << run.output;
  }
  EXPECT_TRUE(fake.requests().empty());
}

TEST_F(CliTokensTest, ServerRefusalNamesTheField) {
  fake.Respond("POST /api/v1/tokens", 400, R"({"error": "role: want admin, operator, viewer, agent or webhook", "field": "role"})");
  CliRun run = Run({"token", "create", "--name", "x", "--role", "root"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("role: want admin, operator"), std::string::npos) << run.output;
  fake.Respond("GET /api/v1/tokens", 403, R"({"error": "role operator may not do this"})");
  run = Run({"token", "list"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("role admin"), std::string::npos) << run.output;
}

TEST_F(CliTokensTest, ListAndRevoke) {
  fake.Respond("GET /api/v1/tokens", 200, R"({"tokens": [
    {"name": "ops", "role": "admin", "source": "config"},
    {"name": "ci", "role": "operator", "source": "api", "created": "2026-12-02T10:00:00.000Z", "expires": null,
     "last_used": "2026-12-02T11:00:00.000Z"}]})");
  CliRun run = Run({"token", "list"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("NAME"), std::string::npos);
  EXPECT_NE(run.output.find("ops"), std::string::npos);
  EXPECT_NE(run.output.find("2026-12-02T11:00:00.000Z"), std::string::npos) << run.output;
  fake.Respond("POST /api/v1/tokens/ci/revoke", 200, R"({"name": "ci", "revoked": "2026-12-02T12:00:00.000Z"})");
  run = Run({"token", "revoke", "ci"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().path, "/api/v1/tokens/ci/revoke");
  EXPECT_EQ(run.output, "Token ci revoked; it is refused from now on\n");
}

TEST_F(CliTokensTest, AuditListsWithFiltersAndVerifyExitsNonZeroNamingTheEntry) {
  fake.Respond("GET /api/v1/audit", 200, R"({"entries": [
    {"id": 7, "time": "2026-12-02T10:00:00.000Z", "principal": "ops", "action": "POST /api/v1/jobs", "target": "j1",
     "node": "", "result": "201", "source": "10.0.0.5", "detail": ""}], "truncated": true})");
  CliRun run = Run({"audit", "--since", "24h", "--node", "b1", "--limit", "5"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().query, "limit=5&node=b1&since=24h");
  EXPECT_NE(run.output.find("POST /api/v1/jobs"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("10.0.0.5"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("(more entries"), std::string::npos) << run.output;

  fake.Respond("GET /api/v1/audit/verify", 200, R"({"ok": true, "entries": 12, "head_hash": "abc"})");
  run = Run({"audit", "--verify"});
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output, "audit chain intact: 12 entries, head abc\n");
  fake.Respond("GET /api/v1/audit/verify", 200,
               R"({"ok": false, "entries": 12, "head_hash": "abc", "first_broken": 4, "problem": "hash does not match"})");
  run = Run({"audit", "--verify"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("audit chain broken at entry 4: hash does not match"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace buildfarm::testing
