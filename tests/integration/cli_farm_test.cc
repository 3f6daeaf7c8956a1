// build-cli end to end against the real scheduler and one real agent: submit, jobs, logs -f, explain,
// cordon/uncordon, and the exit codes 0 (ok), 1 (refused) and 2 (usage).
#include <gtest/gtest.h>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

class Cli {
 public:
  explicit Cli(const Farm& farm) : url_("http://" + farm.address()), token_(farm.admin_token()) {}
  int Run(std::vector<std::string> args, std::string* output, double timeout = 30) {
    std::vector<std::string> argv{"/usr/bin/env", "BUILDFARM_URL=" + url_, "BUILDFARM_TOKEN=" + token_,
                                  BinaryPath("scheduler/cli/build-cli")};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, output, timeout);
  }

 private:
  std::string url_;
  std::string token_;
};

TEST(CliFarmTest, SubmitFollowExplainCordonAndExitCodes) {
  FarmOptions options;
  options.agents = 1;
  options.prometheus = false;
  Farm farm(options);
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  Cli cli(farm);
  std::string out;

  ASSERT_EQ(cli.Run({"submit", "--command", "echo first-line; sleep 1; echo last-line", "--json"}, &out), 0) << out;
  auto submitted = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(submitted.is_object() && submitted.contains("id")) << out;
  const std::string id = submitted["id"];

  // logs -f prints the whole output and returns once the job has ended.
  ASSERT_EQ(cli.Run({"logs", id, "-f"}, &out, 30), 0) << out;
  EXPECT_NE(out.find("first-line\n"), std::string::npos) << out;
  EXPECT_NE(out.find("last-line\n"), std::string::npos) << out;
  EXPECT_EQ(farm.Job(id).value("status", ""), "completed");

  ASSERT_EQ(cli.Run({"jobs"}, &out), 0) << out;
  EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_NE(out.find("completed"), std::string::npos) << out;

  // Cordoned, the only node takes no new work and explain says why.
  ASSERT_EQ(cli.Run({"cordon", "n1"}, &out), 0) << out;
  ASSERT_EQ(cli.Run({"submit", "--command", "echo later", "--json"}, &out), 0) << out;
  const std::string waiting = nlohmann::json::parse(out, nullptr, false).value("id", "");
  ASSERT_FALSE(waiting.empty()) << out;
  ASSERT_EQ(cli.Run({"explain", waiting, "--json"}, &out), 0) << out;
  auto explained = nlohmann::json::parse(out, nullptr, false);
  EXPECT_EQ(explained.value("feasible_nodes", -1), 0) << out;
  EXPECT_FALSE(explained.contains("best_node")) << out;
  ASSERT_EQ(cli.Run({"explain", waiting}, &out), 0) << out;
  EXPECT_NE(out.find("n1"), std::string::npos) << out;
  EXPECT_EQ(farm.Job(waiting).value("status", ""), "queued");

  ASSERT_EQ(cli.Run({"uncordon", "n1"}, &out), 0) << out;
  ASSERT_EQ(cli.Run({"logs", waiting, "-f"}, &out, 30), 0) << out;
  EXPECT_NE(out.find("later"), std::string::npos) << out;
  EXPECT_EQ(farm.Job(waiting).value("status", ""), "completed");

  // Refused by the server: 1. Usage errors: 2.
  EXPECT_EQ(cli.Run({"logs", "no-such-job"}, &out), 1) << out;
  EXPECT_EQ(cli.Run({"cancel", id}, &out), 1) << out;  // already completed: 409
  EXPECT_EQ(cli.Run({"no-such-command"}, &out), 2) << out;
  EXPECT_EQ(cli.Run({"submit", "--no-such-flag"}, &out), 2) << out;
}

}  // namespace
}  // namespace buildfarm::testing
