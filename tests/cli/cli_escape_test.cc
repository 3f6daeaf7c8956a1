// Issue 11, item 17: server data (job ids, commands, message subjects and bodies, error texts) held
// ESC, BEL and CR that build-cli printed raw, so a job could retitle or clear the user's terminal.
// Tables and lines show them escaped; --json output stays the server's JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/values.h"
#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_scheduler.h"

namespace buildfarm::testing {
namespace {

using nlohmann::json;

bool HasControl(const std::string& text) {
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
  }
  return false;
}

TEST(CliEscapeTest, EscapeNonPrintableShowsControlsAndKeepsText) {
  EXPECT_EQ(cli::EscapeNonPrintable("a\x1b]0;owned\x07\rb"), "a\\x1b]0;owned\\x07\\x0db");
  EXPECT_EQ(cli::EscapeNonPrintable("tab\tnl\n"), "tab\\x09nl\\x0a");
  EXPECT_EQ(cli::EscapeNonPrintable("tab\tnl\n", true), "tab\tnl\n");
  EXPECT_EQ(cli::EscapeNonPrintable("csi \xc2\x9b" "2J, caf\xc3\xa9"), "csi \\u009b2J, caf\xc3\xa9");
}

class CliEscapeFarmTest : public ::testing::Test {
 protected:
  CliRun Run(const std::vector<std::string>& args) {
    return RunBinary(args, {"BUILDFARM_URL=" + fake.url(), "BUILDFARM_TOKEN=tok"});
  }
  FakeScheduler fake;
};

TEST_F(CliEscapeFarmTest, JobsJobAndMessagesPrintControlCharactersEscaped) {
  const json job{{"id", "evil\x1b]0;pwned\x07"}, {"command", "make\r\x1b[2J"}, {"status", "queued"},
                 {"branch", "main"}, {"priority", 5}, {"created_at", "2026-11-26T23:59:01Z"}};
  fake.Respond("GET /api/v1/jobs", 200, json{{"jobs", {job}}}.dump());
  CliRun jobs = Run({"jobs"});
  ASSERT_EQ(jobs.code, 0) << jobs.output;
  EXPECT_FALSE(HasControl(jobs.output)) << jobs.output;
  EXPECT_NE(jobs.output.find("evil\\x1b]0;pwned\\x07"), std::string::npos) << jobs.output;
  EXPECT_NE(jobs.output.find("make\\x0d\\x1b[2J"), std::string::npos) << jobs.output;

  fake.Respond("GET /api/v1/jobs/j1", 200, job.dump());
  CliRun one = Run({"job", "j1"});
  ASSERT_EQ(one.code, 0) << one.output;
  EXPECT_FALSE(HasControl(one.output)) << one.output;

  const json message{{"id", "msg_1"}, {"from", "b1"}, {"to", "all"}, {"priority", "high"}, {"type", "info"},
                     {"subject", "hi\x07\x1b[31m"}, {"created_at", "2026-11-26T23:59:01Z"}};
  fake.Respond("GET /api/v1/messages/unread", 200, json{{"for", "b1"}, {"messages", {message}}}.dump());
  CliRun unread = Run({"msg", "unread", "--server", "b1"});
  ASSERT_EQ(unread.code, 0) << unread.output;
  EXPECT_FALSE(HasControl(unread.output)) << unread.output;
  EXPECT_NE(unread.output.find("hi\\x07\\x1b[31m"), std::string::npos) << unread.output;

  // --json stays JSON: the same document, its control characters escaped the JSON way.
  CliRun as_json = Run({"msg", "unread", "--server", "b1", "--json"});
  ASSERT_EQ(as_json.code, 0) << as_json.output;
  EXPECT_FALSE(HasControl(as_json.output)) << as_json.output;
  EXPECT_EQ(json::parse(as_json.output)["messages"][0]["subject"], "hi\x07\x1b[31m");

  // Error texts from the server too.
  fake.Respond("GET /api/v1/jobs/j2", 404, json{{"error", "no job \x1b[2J"}}.dump());
  CliRun missing = Run({"job", "j2"});
  EXPECT_NE(missing.code, 0);
  EXPECT_FALSE(HasControl(missing.output)) << missing.output;
}

}  // namespace
}  // namespace buildfarm::testing
