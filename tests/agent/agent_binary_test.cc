// The built buildfarm-agent: its command line, config errors, /healthz and /readyz, and SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/agent/fake_scheduler.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

std::string AgentBinary() { return BinaryPath("agent/buildfarm-agent"); }

int CountLines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

TEST(AgentBinary, VersionAndHelp) {
  std::string output;
  EXPECT_EQ(RunCommand({AgentBinary(), "--version"}, &output), 0);
  EXPECT_NE(output.find("buildfarm-agent, version"), std::string::npos) << output;
  EXPECT_EQ(RunCommand({AgentBinary(), "--help"}, &output), 0);
  EXPECT_NE(output.find("--scheduler.url"), std::string::npos) << output;
  EXPECT_NE(output.find("--job.kill-grace-period"), std::string::npos) << output;
}

TEST(AgentBinary, UsageErrorsExitTwoWithOneLineNamingTheCulprit) {
  TempDir dir;
  std::string token = dir.WriteSecretFile("token", "secret\n");
  std::string bad_key = dir.WriteFile("bad.yml", "token_file: " + token + "\nheartbeat_intervall: 5s\n");
  std::string bad_duration = dir.WriteFile("dur.yml", "token_file: " + token + "\nheartbeat_interval: often\n");
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  const Case cases[] = {
      {{"--no-such-flag"}, "no-such-flag"},
      {{"--log.level=loud", "--scheduler.token-file=" + token}, "--log.level"},
      {{"--scheduler.url=ftp://x", "--scheduler.token-file=" + token}, "--scheduler.url"},
      {{"--heartbeat.interval=soon"}, "heartbeat.interval"},
      {{"--node.label=novalue", "--scheduler.token-file=" + token}, "--node.label"},
      {{"--config.file=" + bad_key}, "heartbeat_intervall"},
      {{"--config.file=" + bad_duration}, "heartbeat_interval"},
      {{"--config.file=" + dir.Join("missing.yml")}, "missing.yml"},
      {{"--workspace=" + dir.Join("ws")}, "BUILDFARM_AGENT_TOKEN"},  // no token anywhere
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv{AgentBinary()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    std::string output;
    EXPECT_EQ(RunCommand(argv, &output, 30), 2) << c.needle << ": " << output;
    EXPECT_EQ(CountLines(output), 1) << output;
    EXPECT_NE(output.find(c.needle), std::string::npos) << output;
  }
}

TEST(AgentBinary, ServesReadinessOnceRegisteredAndStopsOnSigterm) {
  FakeScheduler fake;
  ASSERT_TRUE(fake.Start());
  TempDir dir;
  std::string token = dir.WriteSecretFile("token", "s3cret-agent-token\n");
  std::string config = dir.WriteFile("agent.yml", "scheduler_url: " + fake.url() + "\ntoken_file: " + token +
                                                      "\nnode_name: e2e-node\nworkspace: " + dir.Join("ws") +
                                                      "\nheartbeat_interval: 200ms\nlabels: {rack: r7}\n"
                                                      "capacity: {cores: 3}\n");
  ChildProcess agent(
      {AgentBinary(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0", "--log.level=debug"});
  std::string error;
  ASSERT_TRUE(agent.Start(&error)) << error;
  auto address = agent.WaitForListenAddress();
  ASSERT_TRUE(address.has_value()) << agent.Log();
  httplib::Client client("http://" + *address);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto readyz_status = [&] {
    auto ready = client.Get("/readyz");
    return ready ? ready->status : 0;
  };
  ASSERT_TRUE(EventuallyValue(
                  readyz_status, [](int status) { return status == 200; }, 30, "/readyz 200 once registered")
                  .result)
      << agent.Log();
  auto registration = fake.last_registration();
  EXPECT_EQ(registration["name"], "e2e-node");
  EXPECT_EQ(registration["labels"]["rack"], "r7");
  EXPECT_EQ(registration["labels"]["os"], "linux");
  EXPECT_EQ(registration["capacity"]["cores"], 3);
  EXPECT_GT(registration["capacity"]["memory_bytes"].get<long long>(), 0);
  EXPECT_EQ(fake.last_authorization(), "Bearer s3cret-agent-token");

  fake.Stop();  // heartbeats fail: not ready any more
  ASSERT_TRUE(EventuallyValue(readyz_status, [](int status) { return status == 503; }, 30,
                              "/readyz 503 once heartbeats fail")
                  .result)
      << agent.Log();
  EXPECT_EQ(agent.Stop(SIGTERM, 20), 0) << agent.Log();
  EXPECT_EQ(agent.Log().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace buildfarm::testing
