// build-cli failover and failovers, run as a child process against FakeScheduler.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_scheduler.h"

namespace buildfarm::testing {
namespace {

using nlohmann::json;

constexpr const char* kRecords = R"({"failovers": [
  {"id": 2, "time": "2026-11-27T03:10:05Z", "reason": "BuildNodeDown", "source": "build2", "target": "build3",
   "jobs": ["j1", "j2"]},
  {"id": 1, "time": "2026-11-27T02:00:00Z", "reason": "lease", "source": "build1", "target": "pool", "jobs": []}]})";

class CliFailoverTest : public ::testing::Test {
 protected:
  CliRun Run(const std::vector<std::string>& args) {
    return RunBinary(args, {"BUILDFARM_URL=" + fake.url(), "BUILDFARM_TOKEN=secret-token"});
  }
  FakeScheduler fake;
};

TEST_F(CliFailoverTest, FailoverPostsTheTargetAndSaysWhatMoved) {
  fake.Respond("POST /api/v1/nodes/build2/failover", 200,
               R"({"id": 3, "time": "2026-11-27T03:00:00Z", "reason": "manual", "source": "build2",
                   "target": "build3", "jobs": ["j1", "j2"]})");
  CliRun run = Run({"failover", "build2", "build3"});
  ASSERT_EQ(run.code, 0) << run.output;
  RecordedRequest request = fake.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/api/v1/nodes/build2/failover");
  EXPECT_EQ(json::parse(request.body), json({{"to", "build3"}}));
  EXPECT_EQ(request.authorization, "Bearer secret-token");
  EXPECT_EQ(run.output, "node build2 cordoned; 2 job(s) moved to build3\n");

  run = Run({"failover", "build2", "build3", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(json::parse(run.output)["reason"], "manual");
}

TEST_F(CliFailoverTest, RefusedFailoverShowsTheServersMessage) {
  fake.Respond("POST /api/v1/nodes/build2/failover", 400, R"({"error": "node nope not found", "field": "to"})");
  CliRun run = Run({"failover", "build2", "nope"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("node nope not found (400)"), std::string::npos) << run.output;
}

TEST_F(CliFailoverTest, FailoverNeedsTwoNodes) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"failover"}, {"failover", "a"}, {"failover", "a", "b", "c"}}) {
    CliRun run = Run(args);
    EXPECT_EQ(run.code, 2) << run.output;
    EXPECT_NE(run.output.find("failover takes FROM TO"), std::string::npos) << run.output;
  }
  EXPECT_TRUE(fake.requests().empty());
}

TEST_F(CliFailoverTest, FailoversListsRecordsNewestFirst) {
  fake.Respond("GET /api/v1/failovers", 200, kRecords);
  CliRun run = Run({"failovers"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().path, "/api/v1/failovers");
  EXPECT_NE(run.output.find("TIME                  REASON         SOURCE  TARGET  JOBS"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("2026-11-27T03:10:05Z  BuildNodeDown  build2  build3  j1,j2"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("2026-11-27T02:00:00Z  lease          build1  pool    -"), std::string::npos)
      << run.output;
  EXPECT_LT(run.output.find("BuildNodeDown"), run.output.find("lease"));
}

TEST_F(CliFailoverTest, FailoversJsonAndLimit) {
  fake.Respond("GET /api/v1/failovers?limit=1", 200, kRecords);
  CliRun run = Run({"failovers", "--limit", "1", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().query, "limit=1");
  EXPECT_EQ(json::parse(run.output), json::parse(kRecords));
  EXPECT_EQ(Run({"failovers", "--limit", "0"}).code, 2);
}

TEST_F(CliFailoverTest, NoFailoversSaysSo) {
  fake.Respond("GET /api/v1/failovers", 200, R"({"failovers": []})");
  CliRun run = Run({"failovers"});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.output, "no failovers recorded\n");
}

}  // namespace
}  // namespace buildfarm::testing
