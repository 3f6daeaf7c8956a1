#include "agent/runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/file_reader.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::agent {
namespace {

using buildfarm::testing::Eventually;
using buildfarm::testing::TempDir;

std::string ReadAll(const std::string& path) {
  auto text = ReadFileCapped(path);
  return text.ok() ? *text : "";
}

// A pid is gone when /proc has no entry or it is a zombie waiting for its (new) parent.
bool ProcessGone(const std::string& pid) {
  std::string stat = ReadAll("/proc/" + pid + "/stat");
  if (stat.empty()) return true;
  auto close_paren = stat.rfind(')');
  return close_paren != std::string::npos && stat.size() > close_paren + 2 && stat[close_paren + 2] == 'Z';
}

RunSpec Spec(const TempDir& dir, std::string command) {
  RunSpec spec;
  spec.command = std::move(command);
  spec.work_dir = dir.Join("work");
  spec.log_path = dir.Join("job.log");
  spec.kill_grace_seconds = 0.5;
  return spec;
}

struct ExitCase {
  const char* command;
  int exit_code;
};

TEST(JobProcess, ReportsExitCodes) {
  const ExitCase cases[] = {{"true", 0}, {"exit 3", 3}, {"false", 1}, {"kill -9 $$", 128 + 9},
                            {"/nonexistent/program", 127}};
  for (const auto& c : cases) {
    TempDir dir;
    JobProcess process(Spec(dir, c.command));
    ASSERT_TRUE(process.Start().ok()) << c.command;
    RunOutcome outcome = process.Wait();
    EXPECT_EQ(outcome.exit_code, c.exit_code) << c.command;
    EXPECT_FALSE(outcome.timed_out) << c.command;
    EXPECT_EQ(outcome.error, "") << c.command;
    EXPECT_GE(outcome.duration_seconds, 0) << c.command;
  }
}

TEST(JobProcess, CapturesStdoutAndStderrInWorkDirWithEnvironment) {
  TempDir dir;
  setenv("BUILDFARM_AGENT_TOKEN", "secret-token", 1);
  RunSpec spec = Spec(dir, "echo out; echo err >&2; echo job=$BUILDFARM_JOB_ID node=$BUILDFARM_NODE; pwd; "
                           "echo token=${BUILDFARM_AGENT_TOKEN:-unset}");
  spec.env = {{"BUILDFARM_JOB_ID", "j1"}, {"BUILDFARM_NODE", "build1"}};
  spec.unset_env = {"BUILDFARM_AGENT_TOKEN"};
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  EXPECT_EQ(process.Wait().exit_code, 0);
  unsetenv("BUILDFARM_AGENT_TOKEN");
  std::string log = ReadAll(spec.log_path);
  EXPECT_NE(log.find("out\n"), std::string::npos) << log;
  EXPECT_NE(log.find("err\n"), std::string::npos) << log;
  EXPECT_NE(log.find("job=j1 node=build1\n"), std::string::npos) << log;
  EXPECT_NE(log.find(spec.work_dir + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("token=unset\n"), std::string::npos) << log;
}

TEST(JobProcess, RunsInItsOwnProcessGroup) {
  TempDir dir;
  RunSpec spec = Spec(dir, "cut -d' ' -f5 /proc/$$/stat > pgid");
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  pid_t pid = process.pid();
  EXPECT_EQ(process.Wait().exit_code, 0);
  std::string pgid(ReadAll(spec.work_dir + "/pgid"));
  EXPECT_EQ(std::stoi(pgid), pid);
  EXPECT_NE(std::stoi(pgid), getpgrp());
}

TEST(JobProcess, TimeoutKillsTheWholeGroupIncludingGrandchildrenThatIgnoreSigterm) {
  TempDir dir;
  // The grandchild ignores SIGTERM, so only the SIGKILL after the grace period ends it.
  RunSpec spec = Spec(dir, "sh -c 'trap \"\" TERM; echo $$ > grandchild; while true; do sleep 0.1; done' & "
                           "echo started; wait");
  spec.timeout_seconds = 1;
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  ASSERT_TRUE(Eventually([&] { return !ReadAll(spec.work_dir + "/grandchild").empty(); }, 30,
                         "the job wrote its grandchild's pid"));
  RunOutcome outcome = process.Wait();
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.error, "timed out after 1s");
  EXPECT_EQ(outcome.exit_code, 128 + SIGTERM);  // the shell itself honours SIGTERM
  std::string grandchild(ReadAll(spec.work_dir + "/grandchild"));
  while (!grandchild.empty() && grandchild.back() == '\n') grandchild.pop_back();
  EXPECT_TRUE(Eventually([&] { return ProcessGone(grandchild); }, 10, "process grandchild gone")) << grandchild;
  EXPECT_NE(ReadAll(spec.log_path).find("started"), std::string::npos);
}

TEST(JobProcess, KillTerminatesTheGroup) {
  TempDir dir;
  RunSpec spec = Spec(dir, "sleep 1000 & echo $! > child; wait");
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  ASSERT_TRUE(
      Eventually([&] { return !ReadAll(spec.work_dir + "/child").empty(); }, 30, "the job wrote its child's pid"));
  std::thread killer([&] { process.Kill(); });
  RunOutcome outcome = process.Wait();
  killer.join();
  EXPECT_TRUE(outcome.killed);
  EXPECT_FALSE(outcome.timed_out);
  std::string child(ReadAll(spec.work_dir + "/child"));
  child.pop_back();
  EXPECT_TRUE(Eventually([&] { return ProcessGone(child); }, 10, "process child gone"));
}

TEST(JobProcess, LeftoverBackgroundProcessesDieWithTheShell) {
  TempDir dir;
  RunSpec spec = Spec(dir, "sleep 1000 > /dev/null 2>&1 & echo $! > child; exit 0");
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  EXPECT_EQ(process.Wait().exit_code, 0);
  std::string child(ReadAll(spec.work_dir + "/child"));
  child.pop_back();
  EXPECT_TRUE(Eventually([&] { return ProcessGone(child); }, 10, "process child gone"));
}

TEST(JobProcess, UnwritableLogIsAnErrorNamingIt) {
  TempDir dir;
  RunSpec spec = Spec(dir, "true");
  spec.log_path = dir.Join("missing-dir/job.log");
  JobProcess process(spec);
  Status status = process.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("missing-dir/job.log"), std::string::npos) << status.message();
  EXPECT_EQ(process.Wait().exit_code, -1);
}

TEST(JobProcess, ShellDiesWithTheAgent) {
  TempDir dir;
  std::string pid_file = dir.Join("shell.pid");
  std::string marker = dir.Join("finished");
  pid_t agent = fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    // Stands in for the agent: starts the job from a thread that waits for it, then is killed.
    std::thread runner([&] {
      JobProcess job(Spec(dir, "echo $$ > " + pid_file + "; sleep 30; touch " + marker));
      if (!job.Start().ok()) _exit(3);
      job.Wait();
    });
    runner.join();
    _exit(0);
  }
  ASSERT_TRUE(Eventually([&] { return !ReadAll(pid_file).empty(); }, 10, "the job wrote its pid file"));
  std::string shell_pid = ReadAll(pid_file);
  while (!shell_pid.empty() && shell_pid.back() == '\n') shell_pid.pop_back();
  kill(agent, SIGKILL);
  int status = 0;
  waitpid(agent, &status, 0);
  EXPECT_TRUE(Eventually([&] { return ProcessGone(shell_pid); }, 10, "process shell pid gone"))
      << "job shell " << shell_pid << " outlived the agent";
  EXPECT_TRUE(ReadAll(marker).empty());
}

TEST(TimeoutMessage, NamesTheSeconds) {
  EXPECT_EQ(TimeoutMessage(60), "timed out after 60s");
  EXPECT_EQ(TimeoutMessage(1.5), "timed out after 1.5s");
}

}  // namespace
}  // namespace buildfarm::agent
