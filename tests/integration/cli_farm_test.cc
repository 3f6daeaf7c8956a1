// build-cli end to end against the real scheduler and real agents: submit, jobs, logs -f, explain,
// cordon/uncordon, status, assign, logs NODE, and the exit codes 0 (ok), 1 (refused) and 2 (usage); and the message life cycle
// (send, dedupe, unread, read, reply, thread, search, expiry, archive) through `build-cli msg`.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

class Cli {
 public:
  explicit Cli(const Farm& farm) : url_("http://" + farm.address()), token_(farm.admin_token()) {}
  int Run(std::vector<std::string> args, std::string* output, double timeout = 30) {
    std::vector<std::string> argv{"/usr/bin/env", "BUILDFARM_URL=" + url_, "BUILDFARM_TOKEN=" + token_,
                                  BinaryPath("cli/build-cli")};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, output, timeout);
  }

 private:
  std::string url_;
  std::string token_;
};

// One real agent (n1), no Prometheus; build-cli with the admin token.
class CliFarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FarmOptions options;
    options.agents = 1;
    options.prometheus = false;
    farm_ = std::make_unique<Farm>(options);
    std::string error;
    ASSERT_TRUE(farm_->Start(&error)) << error;
    cli_ = std::make_unique<Cli>(*farm_);
  }

  std::unique_ptr<Farm> farm_;
  std::unique_ptr<Cli> cli_;
};

TEST_F(CliFarmTest, SubmitFollowExplainCordonAndExitCodes) {
  Farm& farm = *farm_;
  Cli& cli = *cli_;
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

// Two real agents: `status` shows both, `assign` pins a job to n2 (it waits while n2 is cordoned,
// then runs there although n1 is free), and `logs n2 -f` follows the job running on n2.
TEST(CliFarmTwoNodesTest, StatusAssignAndLogsOfANode) {
  FarmOptions options;
  options.agents = 2;
  options.prometheus = false;
  Farm farm(options);
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  Cli cli(farm);
  std::string out;

  ASSERT_EQ(cli.Run({"status"}, &out), 0) << out;
  EXPECT_NE(out.find("NAME  STATE"), std::string::npos) << out;
  EXPECT_NE(out.find("n1    ready"), std::string::npos) << out;
  EXPECT_NE(out.find("n2    ready"), std::string::npos) << out;
  EXPECT_NE(out.find("jobs:\nblocked  queued"), std::string::npos) << out;
  EXPECT_EQ(out.find('\033'), std::string::npos) << "no color into a pipe";
  ASSERT_EQ(cli.Run({"status", "--json"}, &out), 0) << out;
  auto status = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << out;
  EXPECT_EQ(status["nodes"].size(), 2u) << out;
  EXPECT_TRUE(status["jobs"].is_object()) << out;

  ASSERT_EQ(cli.Run({"logs", "n1"}, &out), 1) << out;
  EXPECT_NE(out.find("node n1 is running no job now"), std::string::npos) << out;

  ASSERT_EQ(cli.Run({"cordon", "n2"}, &out), 0) << out;
  ASSERT_EQ(cli.Run({"cordon", "n1"}, &out), 0) << out;
  ASSERT_EQ(cli.Run({"submit", "--command", "echo pinned-start; sleep 2; echo pinned-end", "--json"}, &out), 0) << out;
  const std::string id = nlohmann::json::parse(out, nullptr, false).value("id", "");
  ASSERT_FALSE(id.empty()) << out;
  ASSERT_EQ(cli.Run({"assign", id, "n2"}, &out), 0) << out;
  EXPECT_NE(out.find("pinned to n2"), std::string::npos) << out;
  EXPECT_EQ(cli.Run({"assign", id, "n9"}, &out), 1) << out;
  EXPECT_NE(out.find("node: unknown node n9 (400)"), std::string::npos) << out;
  // n1 is free, but the job is pinned to n2, which is cordoned: it waits. Two scheduling cycles that
  // found it unschedulable after the uncordon (the first may have begun before it) show that it does.
  ASSERT_EQ(cli.Run({"uncordon", "n1"}, &out), 0) << out;
  const std::string unschedulable = R"(buildfarm_scheduler_decisions_total{result="unschedulable"})";
  const double before = farm.SchedulerMetric(unschedulable);
  ASSERT_TRUE(Eventually([&] { return farm.SchedulerMetric(unschedulable) >= before + 2; }, 10,
                         "two scheduling cycles after uncordoning n1 finding job " + id + " unschedulable"));
  EXPECT_EQ(farm.Job(id).value("status", ""), "queued");
  ASSERT_EQ(cli.Run({"uncordon", "n2"}, &out), 0) << out;
  auto status_of = [&] { return farm.Job(id).value("status", ""); };
  ASSERT_TRUE(EventuallyValue(status_of, [](const std::string& status) { return status == "running"; }, 10,
                              "job " + id + " running on n2")
                  .result);
  ASSERT_EQ(cli.Run({"logs", "n2", "-f"}, &out, 30), 0) << out;
  EXPECT_NE(out.find("pinned-start\n"), std::string::npos) << out;
  EXPECT_NE(out.find("pinned-end\n"), std::string::npos) << out;
  auto done = farm.WaitTerminal({id}, 30);
  EXPECT_EQ(done[id].value("status", ""), "completed");
  EXPECT_EQ(done[id].value("assigned_to", ""), "n2");
}

// "Message sent: msg_..." -> the id.
std::string SentId(const std::string& output) {
  const std::string prefix = "Message sent: ";
  auto at = output.find(prefix);
  if (at == std::string::npos) return "";
  auto end = output.find('\n', at);
  return output.substr(at + prefix.size(), end - at - prefix.size());
}

std::vector<std::string> Ids(const std::string& json_output) {
  std::vector<std::string> ids;
  auto parsed = nlohmann::json::parse(json_output, nullptr, false);
  if (!parsed.is_object()) return ids;
  for (const auto& m : parsed.value("messages", nlohmann::json::array())) ids.push_back(m.value("id", ""));
  return ids;
}

TEST_F(CliFarmTest, MessageLifeCycle) {
  Cli& cli = *cli_;
  std::string out;

  const std::vector<std::string> request{"msg", "send", "--from", "n1", "--to", "n2", "--subject", "need a build",
                                         "--body", "compiler error on main", "--priority", "critical", "--type",
                                         "request"};
  ASSERT_EQ(cli.Run(request, &out), 0) << out;
  const std::string asked = SentId(out);
  ASSERT_EQ(asked.rfind("msg_", 0), 0u) << out;
  // The same message again within 10 minutes: the same id.
  ASSERT_EQ(cli.Run(request, &out), 0) << out;
  EXPECT_EQ(SentId(out), asked) << out;
  // A broadcast that expires in about two seconds.
  ASSERT_EQ(cli.Run({"msg", "send", "--from", "n1", "--to", "all", "--subject", "maintenance soon", "--body",
                     "rebooting", "--expires-days", "0.000025"},
                    &out),
            0)
      << out;
  const std::string broadcast = SentId(out);
  ASSERT_FALSE(broadcast.empty()) << out;
  const auto sent_at = std::chrono::steady_clock::now();

  // Unread for n2: critical first, then the broadcast; n1 does not get its own broadcast.
  ASSERT_EQ(cli.Run({"msg", "unread", "--server", "n2", "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), (std::vector<std::string>{asked, broadcast})) << out;
  ASSERT_EQ(cli.Run({"msg", "unread", "--server", "n1"}, &out), 0) << out;
  EXPECT_NE(out.find("no unread messages"), std::string::npos) << out;
  ASSERT_EQ(cli.Run({"msg", "unread", "--server", "n2"}, &out), 0) << out;
  EXPECT_NE(out.find("need a build"), std::string::npos) << out;

  ASSERT_EQ(cli.Run({"msg", "read", "--message-id", asked, "--server", "n2"}, &out), 0) << out;
  EXPECT_NE(out.find("compiler error on main"), std::string::npos) << out;
  ASSERT_EQ(cli.Run({"msg", "unread", "--server", "n2", "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), std::vector<std::string>{broadcast}) << out;

  ASSERT_EQ(cli.Run({"msg", "send", "--from", "n2", "--to", "n1", "--subject", "re: need a build", "--body", "on it",
                     "--type", "response", "--reply-to", asked},
                    &out),
            0)
      << out;
  const std::string answer = SentId(out);
  ASSERT_FALSE(answer.empty()) << out;
  ASSERT_EQ(cli.Run({"msg", "thread", "--message-id", answer, "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), (std::vector<std::string>{asked, answer})) << out;
  ASSERT_EQ(cli.Run({"msg", "thread", "--message-id", asked}, &out), 0) << out;
  EXPECT_NE(out.find("re: need a build"), std::string::npos) << out;

  ASSERT_EQ(cli.Run({"msg", "search", "--query", "compiler", "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), std::vector<std::string>{asked}) << out;
  ASSERT_EQ(cli.Run({"msg", "search", "--server", "n2", "--type", "response", "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), std::vector<std::string>{answer}) << out;
  ASSERT_EQ(cli.Run({"msg", "search", "--query", "build", "--priority", "critical"}, &out), 0) << out;
  EXPECT_NE(out.find(asked), std::string::npos) << out;

  // Expired: no longer unread, and archived even at 30 days; the read request is too new for 30 days.
  // Waiting for the clock is the point here: the expiry is the behaviour under test.
  std::this_thread::sleep_until(sent_at + std::chrono::milliseconds(2600));
  ASSERT_EQ(cli.Run({"msg", "unread", "--server", "n3", "--json"}, &out), 0) << out;
  EXPECT_TRUE(Ids(out).empty()) << out;
  ASSERT_EQ(cli.Run({"msg", "archive", "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), std::vector<std::string>{broadcast}) << out;
  // At 0 days every read message goes; the unread answer stays.
  ASSERT_EQ(cli.Run({"msg", "archive", "--days", "0"}, &out), 0) << out;
  EXPECT_NE(out.find("Archived 1 message"), std::string::npos) << out;
  ASSERT_EQ(cli.Run({"msg", "search", "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), std::vector<std::string>{answer}) << out;
  // The thread still shows the archived request.
  ASSERT_EQ(cli.Run({"msg", "thread", "--message-id", answer, "--json"}, &out), 0) << out;
  EXPECT_EQ(Ids(out), (std::vector<std::string>{asked, answer})) << out;

  // Refused by the scheduler: 1; usage: 2.
  EXPECT_EQ(cli.Run({"msg", "read", "--message-id", "msg_nothing", "--server", "n2"}, &out), 1) << out;
  EXPECT_EQ(cli.Run({"msg", "send", "--from", "N 1", "--to", "all", "--subject", "s"}, &out), 1) << out;
  EXPECT_NE(out.find("from"), std::string::npos) << out;
  EXPECT_EQ(cli.Run({"msg", "send", "--from", "n1", "--to", "all"}, &out), 2) << out;
}

}  // namespace
}  // namespace buildfarm::testing
