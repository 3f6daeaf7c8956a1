// The built buildfarm-agent: its command line, config errors, /healthz and /readyz, and SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/file_reader.h"

#include "tests/agent/fake_scheduler.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

std::string AgentBinary() { return BinaryPath("agent/buildfarm-agent"); }

std::string ReadAll(const std::string& path) {
  auto text = ReadFileCapped(path);
  return text.ok() ? *text : "";
}

bool HaveWritableCgroup2() {
  std::string mounts = ReadAll("/proc/self/mounts");
  return mounts.find(" cgroup2 ") != std::string::npos && access("/proc/self/cgroup", R_OK) == 0;
}

// An agent as root with jobs in a uid range of its own, started against `fake`.
struct IsolatedAgent {
  IsolatedAgent(const FakeScheduler& fake, const TempDir& dir, const std::string& extra_config = "")
      : token(dir.WriteSecretFile("agent.token", "s3cret-agent-token\n")),
        workspace(dir.Join("ws")),
        process({AgentBinary(),
                 "--config.file=" + dir.WriteFile("agent.yml", "scheduler_url: " + fake.url() + "\ntoken_file: " + token +
                                                                  "\nnode_name: iso-node\nworkspace: " + workspace +
                                                                  "\nheartbeat_interval: 200ms\njobs:\n  uid_range: [298000, 8]\n" +
                                                                  extra_config),
                 "--web.listen-address=", "--log.level=debug"}) {
    // Others may traverse the test directory, as they may /etc and /var/lib: what keeps a job from the
    // token is then the token file's own mode.
    chmod(dir.path().c_str(), 0755);
  }
  std::string token;
  std::string workspace;
  ChildProcess process;
};

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

TEST(AgentBinary, JobsRunAsAnUnprivilegedUidAndCannotTakeTheAgentsCredentials) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: the agent switches jobs to other uids only when it is root";
  FakeScheduler fake;
  ASSERT_TRUE(fake.Start());
  TempDir dir;
  IsolatedAgent agent(fake, dir);
  std::string error;
  ASSERT_TRUE(agent.process.Start(&error)) << error;
  ASSERT_TRUE(agent.process.WaitForLogLine("msg=registered", 30)) << agent.process.Log();
  const std::string pid = std::to_string(agent.process.pid());
  fake.Assign("iso", 1,
              "echo uid=$(id -u); cat " + agent.token + "; echo token_rc=$?; cat /proc/" + pid +
                  "/environ; echo environ_rc=$?; touch made; stat -c 'file=%a' made; stat -c 'workspace=%a:%u' .; "
                  "cat /proc/$$/cgroup");
  ASSERT_TRUE(Eventually([&] { return !fake.results().empty(); }, 30, "the job's result")) << agent.process.Log();
  const std::string log = fake.log("iso/1");
  EXPECT_NE(log.find("uid=298000\n"), std::string::npos) << log;
  EXPECT_NE(log.find(agent.token + ": Permission denied"), std::string::npos) << log;
  EXPECT_NE(log.find("token_rc=1\n"), std::string::npos) << log;
  EXPECT_NE(log.find("/proc/" + pid + "/environ: Permission denied"), std::string::npos) << log;
  EXPECT_NE(log.find("environ_rc=1\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;
  EXPECT_NE(log.find("file=600\n"), std::string::npos) << log;  // umask 077
  EXPECT_NE(log.find("workspace=700:298000\n"), std::string::npos) << log;
  if (HaveWritableCgroup2()) EXPECT_NE(log.find("/buildfarm-jobs/ws-"), std::string::npos) << log;
  EXPECT_NE(log.find("/iso-1\n"), std::string::npos) << log;
  EXPECT_EQ(agent.process.Stop(SIGTERM, 20), 0) << agent.process.Log();
}

TEST(AgentBinary, KillNineOfTheAgentLeavesNoJobProcessAlive) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: job cgroups are created by a root agent";
  if (!HaveWritableCgroup2()) GTEST_SKIP() << "needs cgroup v2: only a cgroup holds processes that setsid() away";
  FakeScheduler fake;
  ASSERT_TRUE(fake.Start());
  TempDir dir;
  IsolatedAgent agent(fake, dir, "  cgroup: required\n");
  std::string error;
  ASSERT_TRUE(agent.process.Start(&error)) << error;
  auto ready = agent.process.WaitForLogLine("msg=\"job cgroups ready\"", 30);
  ASSERT_TRUE(ready) << agent.process.Log();
  const std::string cgroup_root = ready->substr(ready->find(" root=") + 6, ready->find(" leftovers_killed=") - ready->find(" root=") - 6);
  ASSERT_TRUE(std::filesystem::exists(cgroup_root)) << *ready;
  ASSERT_TRUE(agent.process.WaitForLogLine("msg=registered", 30)) << agent.process.Log();
  // A grandchild in a session of its own (out of the job's process group), and a shell that waits.
  fake.Assign("doomed", 1, "sh -c 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > detached'; "
                           "echo $$ > shell; sleep 1000");
  const std::string workspace = agent.workspace + "/doomed-1";
  ASSERT_TRUE(Eventually([&] { return !ReadAll(workspace + "/detached").empty() && !ReadAll(workspace + "/shell").empty(); },
                         30, "the job started its detached grandchild"))
      << agent.process.Log();
  const pid_t detached = std::stoi(ReadAll(workspace + "/detached"));
  const pid_t shell = std::stoi(ReadAll(workspace + "/shell"));
  ASSERT_FALSE(ProcessGone(detached));
  agent.process.Stop(SIGKILL);
  EXPECT_TRUE(Eventually([&] { return ProcessGone(detached); }, 15, "the detached grandchild killed"))
      << "pid " << detached << " outlived the agent";
  EXPECT_TRUE(Eventually([&] { return ProcessGone(shell); }, 15, "the job's shell killed"));
  kill(detached, SIGKILL);  // should the test fail, nothing is left behind
  kill(shell, SIGKILL);

  // The shepherd removed the job's cgroup, and the agent's job cgroup root with it: nothing is left over.
  EXPECT_TRUE(Eventually([&] { return !std::filesystem::exists(cgroup_root + "/doomed-1"); }, 15, "the job's cgroup removed"));
  EXPECT_TRUE(Eventually([&] { return !std::filesystem::exists(cgroup_root); }, 15, "the agent's job cgroup root removed"));
}

}  // namespace
}  // namespace buildfarm::testing
