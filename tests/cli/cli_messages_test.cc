// build-cli validate (no server): each violation as FILE: /pointer: message, exit 1 when any file is
// invalid; and the msg subcommands' usage errors (exit 2, naming the flag).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

constexpr const char* kValidMessage =
    R"({"id": "msg_1", "from": "build1", "to": "all", "subject": "hi", "timestamp": "2026-11-27T03:00:00Z",
        "priority": "normal", "type": "heartbeat", "read": false})";
constexpr const char* kValidStatus =
    R"({"server_id": "ci-runner-7", "ip": "10.1.2.3", "status": "online", "timestamp": "2026-11-27T03:00:00Z"})";

TEST(CliValidateTest, ValidFilesOfEachKindExitZero) {
  TempDir dir;
  std::string message = dir.WriteFile("m.json", kValidMessage);
  std::string status = dir.WriteFile("s.json", kValidStatus);
  std::string job = dir.WriteFile(
      "j.json", R"({"id": "j1", "status": "blocked", "branch": "main", "priority": 3, "created_at": "2026-11-27T03:00:00Z"})");
  std::string list = dir.WriteFile("messages.json", std::string("[") + kValidMessage + "," + kValidMessage + "]");
  CliRun run = RunInProcess({"validate", message, status, job, list});
  EXPECT_EQ(run.code, 0) << run.output << run.error;
  EXPECT_NE(run.output.find(message + ": valid (message)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(status + ": valid (status)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(job + ": valid (job)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(list + ": valid (2 documents)"), std::string::npos) << run.output;
}

TEST(CliValidateTest, EachViolationIsReportedWithItsPointer) {
  TempDir dir;
  std::string bad = dir.WriteFile(
      "bad.json", R"({"id": "1", "from": "Build 1", "to": "all", "subject": "hi", "timestamp": "now",
                      "priority": "urgent", "read": "no"})");
  std::string list = dir.WriteFile("list.json", std::string("[") + kValidMessage + R"(, {"from": "a", "subject": "s"}])");
  std::string good = dir.WriteFile("good.json", kValidStatus);
  CliRun run = RunInProcess({"validate", good, bad, list});
  EXPECT_EQ(run.code, 1);
  for (const std::string& line : {bad + ": /id: ", bad + ": /from: ", bad + ": /timestamp: ", bad + ": /priority: ",
                                  bad + ": /read: ", list + ": /1/to: required", list + ": /1/id: required",
                                  good + ": valid (status)"}) {
    EXPECT_NE(run.output.find(line), std::string::npos) << "missing " << line << " in\n" << run.output;
  }
}

TEST(CliValidateTest, JsonReportsEachFile) {
  TempDir dir;
  std::string good = dir.WriteFile("good.json", kValidStatus);
  std::string list = dir.WriteFile("list.json", std::string("[") + kValidMessage + R"(, {"from": "a", "subject": "s"}])");
  CliRun run = RunInProcess({"validate", "--json", good, list});
  EXPECT_EQ(run.code, 1);
  auto report = nlohmann::json::parse(run.output, nullptr, false);
  ASSERT_TRUE(report.is_array() && report.size() == 2) << run.output;
  EXPECT_EQ(report[0]["file"], good);
  EXPECT_EQ(report[0]["valid"], true);
  EXPECT_EQ(report[0]["kinds"], nlohmann::json::array({"status"}));
  EXPECT_EQ(report[1]["valid"], false);
  bool named_to = false;
  for (const auto& problem : report[1]["problems"]) named_to = named_to || problem["pointer"] == "/1/to";
  EXPECT_TRUE(named_to) << run.output;
}

TEST(CliValidateTest, SchemaFlagUnknownKindsAndUnreadableFiles) {
  TempDir dir;
  std::string status = dir.WriteFile("s.json", kValidStatus);
  CliRun forced = RunInProcess({"validate", "--schema", "message", status});
  EXPECT_EQ(forced.code, 1);
  EXPECT_NE(forced.output.find(status + ": /from: required"), std::string::npos) << forced.output;
  std::string odd = dir.WriteFile("odd.json", R"({"colour": "red"})");
  CliRun unknown = RunInProcess({"validate", odd});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.output.find("--schema"), std::string::npos) << unknown.output;
  std::string broken = dir.WriteFile("broken.json", "{");
  EXPECT_EQ(RunInProcess({"validate", broken}).code, 1);
  EXPECT_EQ(RunInProcess({"validate", dir.Join("missing.json")}).code, 1);
  EXPECT_EQ(RunInProcess({"validate"}).code, 2);
  CliRun bad_schema = RunInProcess({"validate", "--schema", "invoice", status});
  EXPECT_EQ(bad_schema.code, 2);
  EXPECT_NE(bad_schema.error.find("--schema"), std::string::npos);
}

TEST(CliMessagesTest, UsageErrorsNameTheFlag) {
  const std::map<std::string, std::string> env{{"BUILDFARM_URL", "http://127.0.0.1:1"}, {"BUILDFARM_TOKEN", "t"}};
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  const Case cases[] = {
      {{"msg"}, "no subcommand"},
      {{"msg", "shout"}, "unknown subcommand \"shout\""},
      {{"msg", "send", "--from", "a", "--to", "b"}, "--subject"},
      {{"msg", "send", "--from", "a", "--to", "b", "--subject", "s", "--priority", "urgent"}, "--priority"},
      {{"msg", "send", "--from", "a", "--to", "b", "--subject", "s", "--type", "chat"}, "--type"},
      {{"msg", "send", "--from", "a", "--to", "b", "--subject", "s", "--expires-days", "0"}, "--expires-days"},
      {{"msg", "send", "--from", "a", "--to", "b", "--subject", "s", "--metadata", "[1]"}, "--metadata"},
      {{"msg", "unread"}, "--server"},
      {{"msg", "read", "--server", "b"}, "--message-id"},
      {{"msg", "thread"}, "--message-id"},
      {{"msg", "search", "--priority", "p0"}, "--priority"},
      {{"msg", "archive", "--days", "-1"}, "--days"},
  };
  for (const Case& c : cases) {
    CliRun run = RunInProcess(c.args, env);
    EXPECT_EQ(run.code, 2) << c.args.back() << ": " << run.error;
    EXPECT_NE(run.error.find(c.names), std::string::npos) << run.error;
  }
  CliRun help = RunInProcess({"msg", "--help"}, env);
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("archive"), std::string::npos);
}

}  // namespace
}  // namespace buildfarm::testing
