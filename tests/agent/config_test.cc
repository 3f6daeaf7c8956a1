#include "agent/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/file_reader.h"
#include <stdlib.h>

#include "agent/capacity.h"
#include "agent/protocol_client.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::agent {
namespace {

using buildfarm::testing::TempDir;

TEST(AgentConfig, ParsesEveryKey) {
  auto config = ParseAgentConfig(R"(
scheduler_url: http://sched:8080
token_file: /etc/buildfarm/agent.token
node_name: build1
labels: {rack: r1, gpu: "true"}
profiles: [cpp, docker]
workspace: /srv/agent
heartbeat_interval: 2s
kill_grace_period: 500ms
capacity: {cores: 8, memory_bytes: 17179869184, disk_bytes: 1000}
)", "agent.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->scheduler_url, "http://sched:8080");
  EXPECT_EQ(config->token_file, "/etc/buildfarm/agent.token");
  EXPECT_EQ(config->node_name, "build1");
  EXPECT_EQ(config->labels.at("gpu"), "true");
  EXPECT_EQ(config->profiles, (std::vector<std::string>{"cpp", "docker"}));
  EXPECT_EQ(config->workspace, "/srv/agent");
  EXPECT_DOUBLE_EQ(*config->heartbeat_interval_seconds, 2);
  EXPECT_DOUBLE_EQ(*config->kill_grace_seconds, 0.5);
  EXPECT_EQ(*config->cores, 8);
  EXPECT_EQ(*config->memory_bytes, 17179869184);
  EXPECT_EQ(*config->disk_bytes, 1000);
}

TEST(AgentConfig, ParsesTheJobsSection) {
  auto config = ParseAgentConfig(R"(
jobs:
  uid_range: [300000, 64]
  umask: "027"
  cgroup: required
  cgroup_root: /sys/fs/cgroup/farm
  workspace_retention: 0
  log_retention: 7d
)", "agent.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const JobsConfig& jobs = config->jobs;
  ASSERT_TRUE(jobs.uid_range.has_value());
  EXPECT_EQ(jobs.uid_range->first, 300000);
  EXPECT_EQ(jobs.uid_range->second, 64);
  EXPECT_EQ(*jobs.umask, 027);
  EXPECT_EQ(*jobs.cgroup, CgroupMode::kRequired);
  EXPECT_EQ(jobs.cgroup_root, "/sys/fs/cgroup/farm");
  EXPECT_DOUBLE_EQ(*jobs.workspace_retention_seconds, 0);
  EXPECT_DOUBLE_EQ(*jobs.log_retention_seconds, 7 * 24 * 3600);
  auto named = ParseAgentConfig("jobs: {run_as: buildfarm-job, workspace_retention: 36h}", "agent.yml");
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->jobs.run_as, "buildfarm-job");
  EXPECT_DOUBLE_EQ(*named->jobs.workspace_retention_seconds, 36 * 3600);
}

TEST(AgentConfig, JobsErrorsNameTheKeyAndWhatIsAllowed) {
  struct Case {
    const char* yaml;
    const char* needle;
  };
  const Case cases[] = {
      {"jobs: [a]", "jobs: must be a map"},
      {"jobs: {umask: \"0999\"}", "jobs.umask: \"0999\" is not an octal umask"},
      {"jobs: {umask: \"1777\"}", "at most 0777"},
      {"jobs: {umask: [7]}", "jobs.umask"},
      {"jobs: {cgroup: maybe}", "jobs.cgroup: \"maybe\" is not one of auto, required, off"},
      {"jobs: {cgroup_root: relative/path}", "jobs.cgroup_root: must be an absolute path"},
      {"jobs: {uid_range: [1]}", "jobs.uid_range: must be [first uid, count]"},
      {"jobs: {uid_range: [100, -1]}", "jobs.uid_range[1]"},
      {"jobs: {run_as: \"\"}", "jobs.run_as: must name a user"},
      {"jobs: {workspace_retention: forever}", "jobs.workspace_retention: must be a duration"},
      {"jobs: {log_retention: -1h}", "jobs.log_retention"},
      {"jobs: {uid: 5}", "jobs.uid: unknown key (allowed: run_as, uid_range"},
  };
  for (const auto& c : cases) {
    auto config = ParseAgentConfig(c.yaml, "agent.yml");
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.needle), std::string::npos) << c.yaml << ": " << config.status().message();
  }
}

TEST(AgentConfig, TheExampleConfigParses) {
  auto config = LoadAgentConfig(std::string(BUILDFARM_SOURCE_DIR) + "/deploy/systemd/examples/agent.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->jobs.uid_range->first, 200000);
  EXPECT_EQ(*config->jobs.umask, 077u);
  EXPECT_EQ(*config->jobs.cgroup, CgroupMode::kAuto);
}

TEST(AgentConfig, EmptyFileIsDefaults) {
  auto config = ParseAgentConfig("", "agent.yml");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->heartbeat_interval_seconds.has_value());
}

TEST(AgentConfig, ErrorsNameTheKey) {
  struct Case {
    const char* yaml;
    const char* key;
  };
  const Case cases[] = {
      {"schedular_url: x", "schedular_url"},
      {"labels: [a]", "labels"},
      {"labels: {a: [1]}", "labels.a"},
      {"profiles: {a: b}", "profiles"},
      {"heartbeat_interval: soon", "heartbeat_interval"},
      {"capacity: {cores: -1}", "capacity.cores"},
      {"capacity: {gpus: 1}", "capacity.gpus"},
      {"node_name: [a]", "node_name"},
      {"workspace: [unclosed", "agent.yml"},
  };
  for (const auto& c : cases) {
    auto config = ParseAgentConfig(c.yaml, "agent.yml");
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.key), std::string::npos) << config.status().message();
  }
}

TEST(ResolveToken, FileBeatsEnvironmentAndIsTrimmed) {
  TempDir dir;
  std::string file = dir.WriteSecretFile("token", "  file-token\n");
  setenv("BUILDFARM_AGENT_TOKEN", "env-token", 1);
  EXPECT_EQ(*ResolveToken(file), "file-token");
  EXPECT_EQ(*ResolveToken(""), "env-token");
  unsetenv("BUILDFARM_AGENT_TOKEN");
  auto missing = ResolveToken("");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("BUILDFARM_AGENT_TOKEN"), std::string::npos);
  auto empty = ResolveToken(dir.WriteFile("empty", "\n"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message().find("file-token"), std::string::npos);
}

TEST(ResolveToken, GroupReadableFileIsRefusedAndSystemdCredentialIsUsed) {
  TempDir dir;
  std::string shared = dir.WriteFile("shared.token", "s3cret\n");  // mode 0644: any job could read it
  auto refused = ResolveToken(shared);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(shared + ": readable by group or others"), std::string::npos)
      << refused.status().message();

  dir.WriteSecretFile("credentials/agent.token", "from-systemd\n");
  setenv("CREDENTIALS_DIRECTORY", dir.Join("credentials").c_str(), 1);
  setenv("BUILDFARM_AGENT_TOKEN", "env-token", 1);
  EXPECT_EQ(*ResolveToken(""), "from-systemd");
  unsetenv("CREDENTIALS_DIRECTORY");
  unsetenv("BUILDFARM_AGENT_TOKEN");
}

TEST(Capacity, DetectsCoresMemoryAndDisk) {
  TempDir dir;
  Capacity capacity = DetectCapacity(dir.path());
  EXPECT_GT(capacity.cores, 0);
  EXPECT_GT(capacity.memory_bytes, 0);
  // The same total the exporter reports as node_memory_MemTotal_bytes, whatever hwloc says.
  std::string meminfo = *ReadFileCapped("/proc/meminfo");
  auto at = meminfo.find("MemTotal:");
  ASSERT_NE(at, std::string::npos);
  long long kib = std::atoll(meminfo.c_str() + at + 9);
  EXPECT_EQ(capacity.memory_bytes, kib * 1024);
  EXPECT_GT(capacity.disk_bytes, 0);
  auto labels = BuiltinLabels();
  EXPECT_EQ(labels.at("os"), "linux");
  EXPECT_FALSE(labels.at("arch").empty());
}

TEST(Capacity, GoArchNames) {
  EXPECT_EQ(GoArch("x86_64"), "amd64");
  EXPECT_EQ(GoArch("aarch64"), "arm64");
  EXPECT_EQ(GoArch("i686"), "386");
  EXPECT_EQ(GoArch("riscv64"), "riscv64");
}

TEST(ParseAssignments, ReadsJobFieldsAndNamesBadOnes) {
  auto parsed = ParseAssignments(R"({"assignments": [{"job": {"id": "j1", "command": "make", "branch": "main",
      "commit": "abc", "timeout_seconds": 60, "priority": 5}, "attempt": 2}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].ref.job_id, "j1");
  EXPECT_EQ((*parsed)[0].ref.attempt, 2);
  EXPECT_EQ((*parsed)[0].command, "make");
  EXPECT_EQ((*parsed)[0].commit, "abc");
  EXPECT_DOUBLE_EQ((*parsed)[0].timeout_seconds, 60);
  EXPECT_TRUE(ParseAssignments(R"({"assignments": []})")->empty());
  auto bad = ParseAssignments(R"({"assignments": [{"job": {"id": "j1"}, "attempt": 1}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("assignments/0/job/command"), std::string::npos);
  EXPECT_FALSE(ParseAssignments("not json").ok());
}

}  // namespace
}  // namespace buildfarm::agent
