// How build-cli's output looks, in process (cli_binary_output_test.cc runs the binary): tables fit
// $COLUMNS, color only on a terminal (and not with NO_COLOR), the spinner only on a terminal's stderr
// during `logs -f`, each error message names what to fix, and every command (msg's subcommands too)
// has --help with an example.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_scheduler.h"

namespace buildfarm::testing {
namespace {

class CliOutputTest : public ::testing::Test {
 protected:
  void SetUp() override { fake.RespondWithTwoNodeStatus(); }
  std::map<std::string, std::string> Env(std::map<std::string, std::string> extra = {}) {
    extra["BUILDFARM_URL"] = fake.url();
    extra["BUILDFARM_TOKEN"] = "t";
    return extra;
  }
  FakeScheduler fake;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(CliOutputTest, TablesFitTheGivenColumns) {
  CliRun wide = RunInProcess({"status"}, Env());
  ASSERT_EQ(wide.code, 0) << wide.error;
  EXPECT_NE(wide.output.find("job-with-a-rather-long-name-1,job-2"), std::string::npos) << wide.output;
  for (int columns : {100, 80}) {
    CliRun run = RunInProcess({"status"}, Env({{"COLUMNS", std::to_string(columns)}}));
    ASSERT_EQ(run.code, 0) << run.error;
    for (const auto& line : Lines(run.output)) {
      EXPECT_LE(line.size(), static_cast<std::size_t>(columns)) << columns << ": " << line;
    }
    EXPECT_NE(run.output.find("..."), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("build1  ready"), std::string::npos) << run.output;  // narrow columns stay whole
  }
  // The terminal's own width counts when COLUMNS is unset; COLUMNS wins when both are known.
  CliRun terminal = RunInProcess({"status"}, Env(), cli::TerminalInfo{false, false, 70});
  for (const auto& line : Lines(terminal.output)) EXPECT_LE(line.size(), 70u) << line;
  CliRun both = RunInProcess({"status"}, Env({{"COLUMNS", "200"}}), cli::TerminalInfo{false, false, 70});
  EXPECT_EQ(both.output, wide.output);
}

TEST_F(CliOutputTest, ColorOnlyOnATerminalWithoutNoColor) {
  const std::string green_ready = "\033[32mready\033[0m";
  cli::TerminalInfo tty{true, true, 0};
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    cli::TerminalInfo terminal;
    bool colored;
  };
  for (const Case& c : {Case{{"status"}, {}, {}, false}, Case{{"status"}, {}, tty, true},
                        Case{{"status"}, {{"NO_COLOR", "1"}}, tty, false}, Case{{"status"}, {{"NO_COLOR", ""}}, tty, true},
                        Case{{"--color=never", "status"}, {}, tty, false}, Case{{"status", "--color=always"}, {}, {}, true},
                        Case{{"nodes", "--color", "always"}, {{"NO_COLOR", "1"}}, {}, true}}) {
    CliRun run = RunInProcess(c.args, Env(c.env), c.terminal);
    ASSERT_EQ(run.code, 0) << run.error;
    EXPECT_EQ(run.output.find(green_ready) != std::string::npos, c.colored) << run.output;
    EXPECT_EQ(run.output.find("\033[") != std::string::npos, c.colored) << run.output;
    if (c.colored) EXPECT_NE(run.output.find("\033[31mdown\033[0m"), std::string::npos);
  }
  EXPECT_EQ(RunInProcess({"status", "--color=sometimes"}, Env()).code, 2);
}

TEST_F(CliOutputTest, SpinnerOnlyWhenStderrIsATerminal) {
  fake.Respond("GET /api/v1/jobs/j1/log", 200, "so far\n", "text/plain");
  fake.SetLogStream("more\n", "end\n");
  fake.ReleaseLogStream();
  CliRun quiet = RunInProcess({"logs", "-f", "j1"}, Env());
  ASSERT_EQ(quiet.code, 0) << quiet.error;
  EXPECT_EQ(quiet.output, "so far\nmore\nend\n");
  EXPECT_EQ(quiet.error, "");

  CliRun spinning = RunInProcess({"logs", "-f", "j1"}, Env(), cli::TerminalInfo{false, true, 0});
  ASSERT_EQ(spinning.code, 0) << spinning.error;
  EXPECT_EQ(spinning.output, "so far\nmore\nend\n");  // stdout stays clean for pipes
  EXPECT_NE(spinning.error.find("following the log of job j1"), std::string::npos) << spinning.error;
  EXPECT_EQ(spinning.error.substr(spinning.error.size() - 4), "\r\033[K") << "the spinner is erased at the end";
}

TEST_F(CliOutputTest, ErrorsNameWhatToFix) {
  struct Case {
    std::vector<std::string> args;
    std::string key;
    int status;
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"nodes"}, "GET /api/v1/nodes", 401, R"({"error": "unknown token"})",
       "build-cli: token rejected (401): set BUILDFARM_TOKEN or run ./deploy/quickstart.sh\n"},
      {{"cancel", "j1"}, "POST /api/v1/jobs/j1/cancel", 403, R"({"error": "role viewer may not do this"})",
       "build-cli: role viewer may not do this (403): this needs a token with role operator or admin (the admin token is in "
       ".farm/scheduler/admin.token; set BUILDFARM_TOKEN)\n"},
      {{"jobs"}, "GET /api/v1/jobs", 403, R"({"error": "role agent may only call the agent routes of its node"})",
       "build-cli: role agent may only call the agent routes of its node (403): this needs a token with role viewer"},
      {{"msg", "send", "--from", "b1", "--to", "all", "--subject", "s"}, "POST /api/v1/messages", 403, "{}",
       "this needs a token with role admin, or the agent token of the sending node"},
      {{"job", "j9"}, "GET /api/v1/jobs/j9", 404, R"({"error": "job j9 not found"})", "build-cli: job j9 not found (404)\n"},
      {{"failovers"}, "GET /api/v1/failovers", 404, "", "build-cli: GET /api/v1/failovers: not found (404)\n"},
      {{"assign", "j1", "build2"}, "POST /api/v1/jobs/j1/assign", 400,
       R"({"error": "want the name of a node", "field": "node"})", "build-cli: node: want the name of a node (400)\n"},
  };
  for (const Case& c : cases) {
    fake.Respond(c.key, c.status, c.body);
    CliRun run = RunInProcess(c.args, Env());
    EXPECT_EQ(run.code, 1) << c.key;
    EXPECT_NE(run.error.find(c.message), std::string::npos) << c.key << "\n" << run.error;
  }
}

TEST(CliUnreachableMessageTest, SaysWhereItLookedAndHowToChangeIt) {
  std::string url;
  {
    FakeScheduler stopped;
    url = stopped.url();
  }
  CliRun run = RunInProcess({"jobs"}, {{"BUILDFARM_URL", url}, {"BUILDFARM_TOKEN", "t"}});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.error.rfind("build-cli: cannot reach the scheduler at " + url +
                                ": is buildfarm-scheduler running? (set --url or BUILDFARM_URL)",
                            0),
            0u)
      << run.error;
}

TEST(CliHelpEveryCommandTest, EveryCommandAndSubcommandHasHelpWithAnExample) {
  std::vector<std::pair<std::vector<std::string>, std::string>> commands;
  for (const auto& spec : cli::AllCommands()) commands.push_back({{spec.name, "--help"}, spec.name});
  for (const auto& sub : cli::MessageSubcommands()) commands.push_back({{"msg", sub.name, "--help"}, "msg " + sub.name});
  ASSERT_GE(commands.size(), 24u);  // 18 commands, 6 msg subcommands
  for (const auto& [args, name] : commands) {
    CliRun run = RunInProcess(args);
    EXPECT_EQ(run.code, 0) << name;
    EXPECT_NE(run.output.find("usage: build-cli " + name), std::string::npos) << run.output;
    auto example = run.output.find("Example:\n  ");
    ASSERT_NE(example, std::string::npos) << run.output;
    EXPECT_NE(run.output.find("build-cli " + name + " ", example), std::string::npos) << run.output;
    if (name.rfind("msg ", 0) != 0) EXPECT_EQ(RunInProcess({"help", name}).output, run.output) << name;
  }
}

TEST(CliStreamsTest, SubmitPrintsOnlyTheIdOnStdout) {
  FakeScheduler fake;
  fake.Respond("POST /api/v1/jobs", 201, R"({"id": "j7"})");
  CliRun run = RunInProcess({"submit", "--command", "true"}, {{"BUILDFARM_URL", fake.url()}, {"BUILDFARM_TOKEN", "t"}});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.output, "j7\n");
  EXPECT_EQ(run.error, "");
}

}  // namespace
}  // namespace buildfarm::testing
