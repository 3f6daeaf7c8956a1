// The agent's protocol loop against an in-test fake scheduler on 127.0.0.1.
#include "agent/agent.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/file_reader.h"
#include "tests/agent/fake_scheduler.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::agent {
namespace {

using buildfarm::testing::Eventually;
using buildfarm::testing::FakeScheduler;
using buildfarm::testing::TempDir;

std::string ReadAll(const std::string& path) {
  auto text = ReadFileCapped(path);
  return text.ok() ? *text : "";
}

bool ProcessGone(std::string pid) {
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  std::string stat = ReadAll("/proc/" + pid + "/stat");
  if (stat.empty()) return true;
  auto close_paren = stat.rfind(')');
  return close_paren != std::string::npos && stat.size() > close_paren + 2 && stat[close_paren + 2] == 'Z';
}

void Touch(const std::string& path) { std::ofstream(path) << "go\n"; }

// Job commands wait for this file in their workspace, so tests decide when they finish.
constexpr const char* kWaitForGo = "while [ ! -f go ]; do sleep 0.05; done; ";

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.Start()); }

  AgentOptions Options() const {
    AgentOptions options;
    options.scheduler_url = fake_.url();
    options.token = "agent-token";
    options.node.name = "build1";
    options.node.labels = {{"os", "linux"}, {"arch", "amd64"}};
    options.node.profiles = {"cpp"};
    options.node.capacity = {4, 8LL << 30, 100LL << 30};
    options.workspace = workspace_.path();
    options.heartbeat_seconds = 0.1;
    options.kill_grace_seconds = 0.5;
    options.poll_wait_seconds = 1;
    options.backoff_initial_seconds = 0.05;
    options.backoff_max_seconds = 0.3;
    options.log_flush_seconds = 0.05;
    return options;
  }

  std::unique_ptr<Agent> StartAgent() { return StartAgent(Options()); }
  std::unique_ptr<Agent> StartAgent(AgentOptions options) {
    auto agent = std::make_unique<Agent>(std::move(options), log_);
    Status started = agent->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    return agent;
  }

  std::string JobDir(const std::string& name) const { return workspace_.Join(name); }

  bool HasResult(const std::string& key) const {
    for (const auto& r : fake_.results()) {
      if (r.key == key) return true;
    }
    return false;
  }

  bool Started(const std::string& key) const {
    for (const auto& s : fake_.starts()) {
      if (s == key) return true;
    }
    return false;
  }

  Logger log_{LogLevel::kError};
  TempDir workspace_;
  FakeScheduler fake_;
};

TEST_F(AgentTest, RegistersHeartbeatsRunsAJobStreamsItsLogAndReportsTheResult) {
  auto agent = StartAgent();
  ASSERT_TRUE(Eventually([&] { return agent->Ready(); }, 30, "the agent ready"));
  auto registration = fake_.last_registration();
  EXPECT_EQ(registration["name"], "build1");
  EXPECT_EQ(registration["labels"]["os"], "linux");
  EXPECT_EQ(registration["profiles"][0], "cpp");
  EXPECT_EQ(registration["capacity"]["cores"], 4);
  EXPECT_EQ(fake_.last_authorization(), "Bearer agent-token");

  fake_.Assign("j1", 1, std::string("echo first; echo to-stderr >&2; ") + kWaitForGo +
                            "echo second $BUILDFARM_JOB_ID $BUILDFARM_ATTEMPT $BUILDFARM_BRANCH $BUILDFARM_COMMIT "
                            "$BUILDFARM_NODE; exit 3");
  // The first line arrives while the job is still running: the log is streamed as it grows.
  ASSERT_TRUE(
      Eventually([&] { return fake_.log("j1/1").find("first") != std::string::npos; }, 30, "\"first\" in j1/1's log"));
  EXPECT_TRUE(Started("j1/1"));
  EXPECT_FALSE(HasResult("j1/1"));
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& body : fake_.heartbeat_bodies()) {
          if (!body["running"].empty() && body["running"][0]["job_id"] == "j1") return true;
        }
        return false;
      },
      30, "a heartbeat listing j1 as running"));
  Touch(JobDir("j1-1/go"));
  ASSERT_TRUE(Eventually([&] { return HasResult("j1/1"); }, 30, "a result for j1/1 at the fake scheduler"));
  auto result = fake_.results().at(0).body;
  EXPECT_EQ(result["exit_code"], 3);
  EXPECT_EQ(result["error"], "");
  EXPECT_GE(result["duration_seconds"].get<double>(), 0);
  std::string log = fake_.log("j1/1");
  EXPECT_NE(log.find("to-stderr"), std::string::npos) << log;
  EXPECT_NE(log.find("second j1 1 main abc123 build1\n"), std::string::npos) << log;
  EXPECT_GE(fake_.log_chunks("j1/1"), 2);
  EXPECT_EQ(ReadAll(workspace_.Join("j1-1.log")), log);
  EXPECT_TRUE(Eventually([&] { return agent->RunningAttempts().empty(); }, 30, "no attempt running on the agent"));
}

// Issue 11, item 6: once the scheduler answers a log chunk with truncated:true, the agent sends no
// more of that attempt's log (the job still runs to its end and its result is reported).
TEST_F(AgentTest, StopsSendingTheLogAfterTheSchedulerTruncatesIt) {
  fake_.CapLogs(10);
  auto agent = StartAgent();
  ASSERT_TRUE(Eventually([&] { return agent->Ready(); }, 30, "the agent ready"));
  fake_.Assign("big", 1, std::string("echo 0123456789abcdef; ") + kWaitForGo + "echo more; echo and more; exit 0");
  ASSERT_TRUE(Eventually([&] { return fake_.log("big/1").size() == 10; }, 30, "the first 10 bytes of big/1's log"));
  const int chunks_at_cap = fake_.log_chunks("big/1");
  Touch(JobDir("big-1/go"));
  ASSERT_TRUE(Eventually([&] { return HasResult("big/1"); }, 30, "a result for big/1"));
  EXPECT_EQ(fake_.results().at(0).body["exit_code"], 0);
  // The lines written after the cap stay in the agent's own log file and are not sent.
  EXPECT_EQ(fake_.log_chunks("big/1"), chunks_at_cap);
  EXPECT_EQ(fake_.log("big/1"), "0123456789");
  EXPECT_NE(ReadAll(workspace_.Join("big-1.log")).find("and more"), std::string::npos);
}

// Issue 11, item 3: with retention 0 a finished attempt's workspace and log go once it has reported.
TEST_F(AgentTest, ZeroRetentionDeletesTheAttemptsFilesOnceReportedButNotWhileItRuns) {
  AgentOptions options = Options();
  options.retention = {.workspace_seconds = 0, .log_seconds = 0};
  auto agent = StartAgent(options);
  fake_.Assign("r1", 1, std::string("echo running; ") + kWaitForGo + "echo done");
  ASSERT_TRUE(Eventually([&] { return fake_.log("r1/1").find("running") != std::string::npos; }, 30, "r1 running"));
  EXPECT_TRUE(std::filesystem::exists(JobDir("r1-1")));
  EXPECT_TRUE(std::filesystem::exists(JobDir("r1-1.log")));
  Touch(JobDir("r1-1/go"));
  ASSERT_TRUE(Eventually([&] { return HasResult("r1/1"); }, 30, "a result for r1/1"));
  EXPECT_NE(fake_.log("r1/1").find("done"), std::string::npos) << "the whole log was sent before it was deleted";
  EXPECT_TRUE(Eventually([&] { return !std::filesystem::exists(JobDir("r1-1")) && !std::filesystem::exists(JobDir("r1-1.log")); },
                         30, "r1-1's workspace and log deleted"));
}

// Issue 11, item 12: a start refused with 404 was dropped and re-offered at once, forever. Now the
// attempt is reported failed, and a re-offer of it is not started again.
TEST_F(AgentTest, StartRefusedWith404IsReportedFailedAndNotStartedAgain) {
  auto agent = StartAgent();
  fake_.StartNotFound("j4/1");
  fake_.Assign("j4", 1, "touch ran");
  ASSERT_TRUE(Eventually([&] { return HasResult("j4/1"); }, 30, "a result for j4/1"));
  auto result = fake_.results().at(0).body;
  EXPECT_EQ(result["exit_code"], -1);
  EXPECT_NE(result["error"].get<std::string>().find("HTTP 404"), std::string::npos) << result.dump();
  // The scheduler offers it again (as it would until it hears a result); the agent does not start it.
  fake_.Assign("j4", 1, "touch ran");
  fake_.Assign("j5", 1, "true");
  ASSERT_TRUE(Eventually([&] { return HasResult("j5/1"); }, 30, "a result for j5/1"));
  int starts = 0;
  for (const auto& s : fake_.starts()) starts += s == "j4/1";
  EXPECT_EQ(starts, 1);
  EXPECT_TRUE(ReadAll(JobDir(AttemptDirName({"j4", 1}) + "/ran")).empty());
}

// Issue 11, item 14: ids `col a` and `col_a` ran in one workspace and wrote one log file.
TEST_F(AgentTest, IdsThatDifferOnlyInEscapedCharactersGetTheirOwnWorkspaceAndLog) {
  EXPECT_NE(AttemptDirName({"col a", 1}), AttemptDirName({"col_a", 1}));
  EXPECT_EQ(AttemptDirName({"j1", 1}), "j1-1");
  EXPECT_NE(AttemptDirName({std::string(200, 'a'), 1}), AttemptDirName({std::string(201, 'a'), 1}));
  EXPECT_LE(AttemptDirName({std::string(4000, '_'), 1}).size(), 100u);
  auto agent = StartAgent();
  const std::string command = std::string("echo \"mine-$BUILDFARM_JOB_ID\" > owner; ") + kWaitForGo + "cat owner";
  fake_.Assign("col a", 1, command);
  fake_.Assign("col_a", 1, command);
  ASSERT_TRUE(Eventually([&] { return Started("col a/1") && Started("col_a/1"); }, 30, "both col ids started"));
  const std::string spaced = AttemptDirName({"col a", 1}), underscored = AttemptDirName({"col_a", 1});
  ASSERT_TRUE(Eventually(
      [&] {
        return ReadAll(JobDir(spaced + "/owner")) == "mine-col a\n" &&
               ReadAll(JobDir(underscored + "/owner")) == "mine-col_a\n";
      },
      30, "each job's own owner file"));
  Touch(JobDir(spaced + "/go"));
  Touch(JobDir(underscored + "/go"));
  ASSERT_TRUE(Eventually([&] { return HasResult("col a/1") && HasResult("col_a/1"); }, 30, "both col results"));
  EXPECT_EQ(fake_.log("col a/1"), "mine-col a\n");
  EXPECT_EQ(fake_.log("col_a/1"), "mine-col_a\n");
  EXPECT_EQ(ReadAll(workspace_.Join(spaced + ".log")), "mine-col a\n");
  EXPECT_EQ(ReadAll(workspace_.Join(underscored + ".log")), "mine-col_a\n");
}

TEST_F(AgentTest, TimeoutIsReportedAsAnError) {
  auto agent = StartAgent();
  fake_.Assign("slow", 1, "sleep 30", 0.5);
  ASSERT_TRUE(Eventually([&] { return HasResult("slow/1"); }, 30, "a result for slow/1 at the fake scheduler"));
  auto result = fake_.results().at(0).body;
  EXPECT_EQ(result["error"], "timed out after 0.5s");
  EXPECT_EQ(result["exit_code"], 128 + 15);
}

TEST_F(AgentTest, ConflictOnStartDropsTheJob) {
  auto agent = StartAgent();
  fake_.RefuseStart("j2/1");
  fake_.Assign("j2", 1, "touch ran");
  ASSERT_TRUE(Eventually([&] { return Started("j2/1"); }, 30, "j2/1 reported started"));
  // A later job completes; by then the refused one would have reported had it run.
  fake_.Assign("j3", 1, "true");
  ASSERT_TRUE(Eventually([&] { return HasResult("j3/1"); }, 30, "a result for j3/1 at the fake scheduler"));
  EXPECT_TRUE(Eventually([&] { return agent->RunningAttempts().empty(); }, 30, "no attempt running on the agent"));
  EXPECT_FALSE(HasResult("j2/1"));
  EXPECT_EQ(fake_.results().size(), 1u);
  EXPECT_TRUE(ReadAll(JobDir("j2-1/ran")).empty());
  EXPECT_EQ(fake_.log_chunks("j2/1"), 0);
}

TEST_F(AgentTest, ResultReachesTheSchedulerExactlyOnceAfterAnOutage) {
  auto agent = StartAgent();
  fake_.Assign("j4", 1, std::string("echo before; ") + kWaitForGo + "echo after; exit 7");
  ASSERT_TRUE(Eventually([&] { return fake_.log("j4/1").find("before") != std::string::npos; }, 30,
                         "\"before\" in j4/1's log"));
  fake_.Stop();
  Touch(JobDir("j4-1/go"));
  // The result waits in the spool while the scheduler is unreachable.
  ASSERT_TRUE(Eventually([&] { return ReadAll(agent->SpoolPath()).find("\"j4\"") != std::string::npos; }, 30,
                         "j4's result in the spool"));
  ASSERT_TRUE(Eventually([&] { return !agent->Ready(); }, 30, "the agent not ready"));
  ASSERT_TRUE(fake_.Start());
  ASSERT_TRUE(Eventually([&] { return HasResult("j4/1"); }, 30, "a result for j4/1 at the fake scheduler"));
  ASSERT_TRUE(Eventually([&] { return ReadAll(agent->SpoolPath()).find("\"j4\"") == std::string::npos; }, 30,
                         "j4's result gone from the spool"));
  int heartbeats = fake_.heartbeats();
  ASSERT_TRUE(Eventually([&] { return fake_.heartbeats() >= heartbeats + 3; }, 30, "three more heartbeats"));
  EXPECT_EQ(fake_.result_posts(), 1);
  EXPECT_EQ(fake_.results().at(0).body["exit_code"], 7);
  EXPECT_NE(fake_.log("j4/1").find("after"), std::string::npos);
  EXPECT_TRUE(agent->Ready());
}

TEST_F(AgentTest, SpooledResultIsDeliveredOnceByTheNextAgent) {
  {
    auto agent = StartAgent();
    fake_.Assign("j5", 2, kWaitForGo);
    ASSERT_TRUE(Eventually([&] { return Started("j5/2"); }, 30, "j5/2 reported started"));
    fake_.Stop();
    Touch(JobDir("j5-2/go"));
    ASSERT_TRUE(Eventually([&] { return ReadAll(agent->SpoolPath()).find("\"j5\"") != std::string::npos; }, 30,
                           "j5's result in the spool"));
    agent->Stop();
  }
  ASSERT_TRUE(fake_.Start());
  auto agent = StartAgent();
  ASSERT_TRUE(Eventually([&] { return HasResult("j5/2"); }, 30, "a result for j5/2 at the fake scheduler"));
  ASSERT_TRUE(Eventually([&] { return ReadAll(agent->SpoolPath()).find("\"j5\"") == std::string::npos; }, 30,
                         "j5's result gone from the spool"));
  int heartbeats = fake_.heartbeats();
  ASSERT_TRUE(Eventually([&] { return fake_.heartbeats() >= heartbeats + 3; }, 30, "three more heartbeats"));
  EXPECT_EQ(fake_.result_posts(), 1);
}

TEST_F(AgentTest, ConflictOnResultDropsIt) {
  fake_.RefuseResults();
  auto agent = StartAgent();
  fake_.Assign("j6", 1, "true");
  ASSERT_TRUE(Eventually([&] { return fake_.result_posts() == 1; }, 30, "one result posted"));
  ASSERT_TRUE(Eventually([&] { return ReadAll(agent->SpoolPath()).find("\"j6\"") == std::string::npos; }, 30,
                         "j6's result gone from the spool"));
  int heartbeats = fake_.heartbeats();
  ASSERT_TRUE(Eventually([&] { return fake_.heartbeats() >= heartbeats + 3; }, 30, "three more heartbeats"));
  EXPECT_EQ(fake_.result_posts(), 1);
}

TEST_F(AgentTest, SupersededAttemptFromHeartbeatIsKilledAndNotReported) {
  auto agent = StartAgent();
  fake_.Assign("j7", 1, "sleep 1000 & echo $! > child; wait");
  ASSERT_TRUE(Eventually([&] { return !ReadAll(JobDir("j7-1/child")).empty(); }, 30, "job j7-1 wrote its child's pid"));
  fake_.SupersedeOnHeartbeat("j7", 1);
  ASSERT_TRUE(Eventually([&] { return agent->RunningAttempts().empty(); }, 30, "no attempt running on the agent"));
  EXPECT_TRUE(
      Eventually([&] { return ProcessGone(ReadAll(JobDir("j7-1/child"))); }, 30, "job j7-1's child process gone"));
  fake_.Assign("j8", 1, "true");
  ASSERT_TRUE(Eventually([&] { return HasResult("j8/1"); }, 30, "a result for j8/1 at the fake scheduler"));
  EXPECT_FALSE(HasResult("j7/1"));
}

TEST_F(AgentTest, HeartbeatNotFoundRegistersAgain) {
  auto agent = StartAgent();
  ASSERT_TRUE(Eventually([&] { return agent->Ready(); }, 30, "the agent ready"));
  EXPECT_EQ(fake_.registers(), 1);
  fake_.HeartbeatNotFoundOnce();
  ASSERT_TRUE(Eventually([&] { return fake_.registers() == 2; }, 30, "a second registration"));
  EXPECT_TRUE(Eventually([&] { return agent->Ready(); }, 30, "the agent ready"));
}

TEST_F(AgentTest, StopKillsRunningJobsWithoutReportingThem) {
  auto agent = StartAgent();
  fake_.Assign("j9", 1, "sleep 1000 & echo $! > child; wait");
  ASSERT_TRUE(Eventually([&] { return !ReadAll(JobDir("j9-1/child")).empty(); }, 30, "job j9-1 wrote its child's pid"));
  agent->Stop();
  EXPECT_TRUE(agent->RunningAttempts().empty());
  EXPECT_TRUE(
      Eventually([&] { return ProcessGone(ReadAll(JobDir("j9-1/child"))); }, 30, "job j9-1's child process gone"));
  EXPECT_EQ(fake_.result_posts(), 0);
  EXPECT_EQ(ReadAll(agent->SpoolPath()).find("\"j9\""), std::string::npos);
}

}  // namespace
}  // namespace buildfarm::agent
