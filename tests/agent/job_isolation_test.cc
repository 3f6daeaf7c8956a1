// Job isolation in process: identities, umask, private workspaces, agent-written logs, and job cgroups
// (agent/job_identity.h, agent/job_cgroup.h, agent/job_shepherd.h). The tests that switch uids need
// root, and the cgroup ones a writable cgroup v2; without them they skip and say why.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "agent/job_cgroup.h"
#include "agent/job_identity.h"
#include "agent/runner.h"
#include "common/file_reader.h"
#include "tests/support/eventually.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::agent {
namespace {

using buildfarm::testing::Eventually;
using buildfarm::testing::ProcessGone;
using buildfarm::testing::TempDir;

// A uid range apart from the agent's default, so a farm running on this host is not disturbed.
constexpr uid_t kJobUid = 299000;

std::string ReadAll(const std::string& path) {
  auto text = ReadFileCapped(path);
  return text.ok() ? *text : "";
}

// A TempDir whose root others may traverse, as /var/lib is: what a job may not read is then kept
// from it by the files' own modes, not by the test directory's.
struct SharedDir : TempDir {
  SharedDir() { chmod(path().c_str(), 0755); }
};

RunSpec Spec(const TempDir& dir, std::string command) {
  RunSpec spec;
  spec.command = std::move(command);
  spec.work_dir = dir.Join("job-1");
  spec.log_path = dir.Join("job-1.log");
  spec.kill_grace_seconds = 0.5;
  return spec;
}

// The job cgroup root for a test's workspace (removed, once empty, at the end of the test), or the
// reason there is none.
struct CgroupRoot : Result<std::string> {
  explicit CgroupRoot(const TempDir& dir) : Result<std::string>(PrepareJobCgroupRoot("", dir.path())) {}
  ~CgroupRoot() {
    if (ok()) rmdir(value().c_str());
  }
};

#define SKIP_UNLESS_ROOT()                                                                          \
  if (geteuid() != 0) GTEST_SKIP() << "needs root: jobs switch to another uid only when the agent is root"

// A job as uid kJobUid in its own cgroup under `root`.
RunSpec IsolatedSpec(const TempDir& dir, const std::string& root, std::string command) {
  RunSpec spec = Spec(dir, std::move(command));
  spec.identity = JobIdentity{kJobUid, kJobUid};
  spec.cgroup_dir = root + "/job-1";
  return spec;
}

#define SKIP_UNLESS_CGROUP(root)                                                                           \
  if (!(root).ok()) GTEST_SKIP() << "needs a writable cgroup v2: " << (root).status().ToString()

TEST(JobIsolation, JobCannotReadTheAgentsCredentials) {
  SKIP_UNLESS_ROOT();
  SharedDir dir;
  const std::string token = dir.WriteSecretFile("agent.token", "agent-secret-token\n");
  const std::string other_log = dir.WriteFile("other-1.log", "another job's secret output\n");
  chmod(other_log.c_str(), 0600);
  const std::string agent = std::to_string(getpid());
  struct Probe {
    const char* what;
    std::string command;
  };
  const Probe probes[] = {
      {"the token file", "cat " + token},
      {"the agent's environment", "cat /proc/" + agent + "/environ"},
      {"the agent's memory", "head -c 16 /proc/" + agent + "/mem"},
      {"another job's log", "cat " + other_log},
      {"its own log file, by path", "echo forged >> " + dir.Join("job-1.log")},
  };
  for (const auto& probe : probes) {
    RunSpec spec = Spec(dir, probe.command + "; echo rc=$?");
    spec.identity = JobIdentity{kJobUid, kJobUid};
    JobProcess process(spec);
    ASSERT_TRUE(process.Start().ok()) << probe.what;
    EXPECT_EQ(process.Wait().exit_code, 0) << probe.what;
    const std::string log = ReadAll(spec.log_path);
    EXPECT_NE(log.find("Permission denied"), std::string::npos) << probe.what << ": " << log;
    EXPECT_EQ(log.find("rc=0"), std::string::npos) << probe.what << ": " << log;
    EXPECT_EQ(log.find("agent-secret-token"), std::string::npos) << probe.what;
    EXPECT_EQ(log.find("forged"), std::string::npos) << probe.what;
    unlink(spec.log_path.c_str());
  }
}

TEST(JobIsolation, RunsAsTheJobUidWithNoGroupsInAPrivateWorkspaceWithTheUmask) {
  SKIP_UNLESS_ROOT();
  SharedDir dir;
  RunSpec spec = Spec(dir, "id -u; id -g; id -G; touch made; stat -c 'file %a %u' made; grep NoNewPrivs /proc/self/status");
  spec.identity = JobIdentity{kJobUid + 1, kJobUid + 2};
  spec.umask = 077;
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  EXPECT_EQ(process.Wait().exit_code, 0) << ReadAll(spec.log_path);
  const std::string log = ReadAll(spec.log_path);
  const std::string uid = std::to_string(kJobUid + 1), gid = std::to_string(kJobUid + 2);
  EXPECT_EQ(log, uid + "\n" + gid + "\n" + gid + "\nfile 600 " + uid + "\nNoNewPrivs:\t1\n");
  struct stat workspace {};
  ASSERT_EQ(stat(spec.work_dir.c_str(), &workspace), 0);
  EXPECT_EQ(workspace.st_mode & 07777, 0700u);
  EXPECT_EQ(workspace.st_uid, kJobUid + 1);
  EXPECT_EQ(workspace.st_gid, kJobUid + 2);
  // The log is the agent's: the job wrote it only through its shepherd.
  struct stat log_file {};
  ASSERT_EQ(stat(spec.log_path.c_str(), &log_file), 0);
  EXPECT_EQ(log_file.st_mode & 07777, 0600u);
  EXPECT_EQ(log_file.st_uid, 0u);
}

TEST(JobIsolation, UmaskIsConfigurable) {
  SharedDir dir;
  RunSpec spec = Spec(dir, "umask; touch made; stat -c %a made");
  spec.umask = 027;
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  EXPECT_EQ(process.Wait().exit_code, 0);
  EXPECT_EQ(ReadAll(spec.log_path), "0027\n640\n");
}

TEST(JobIsolation, JobRunsInItsOwnCgroupAndLeavesNoDetachedProcessBehind) {
  SKIP_UNLESS_ROOT();
  SharedDir dir;
  CgroupRoot root(dir);
  SKIP_UNLESS_CGROUP(root);
  RunSpec spec = IsolatedSpec(dir, *root, "cat /proc/$$/cgroup; setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > detached");
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  EXPECT_EQ(process.Wait().exit_code, 0) << ReadAll(spec.log_path);
  auto mount = FindCgroup2Mount();
  ASSERT_TRUE(mount.ok());
  // The job's shell saw itself in the job's cgroup (/proc/<pid>/cgroup is relative to the v2 mount).
  EXPECT_NE(ReadAll(spec.log_path).find("0::" + spec.cgroup_dir.substr(mount->size()) + "\n"), std::string::npos)
      << ReadAll(spec.log_path);
  const pid_t detached = std::stoi(ReadAll(spec.work_dir + "/detached"));
  // setsid() took it out of the job's process group; the cgroup still got it.
  EXPECT_TRUE(Eventually([&] { return ProcessGone(detached); }, 10, "the detached sleep killed with the cgroup"));
  EXPECT_FALSE(std::filesystem::exists(spec.cgroup_dir)) << "the job's cgroup is removed";
  kill(detached, SIGKILL);
}

TEST(JobIsolation, KillNineOfTheAgentKillsTheJobsDetachedGrandchildren) {
  SKIP_UNLESS_ROOT();
  SharedDir dir;
  CgroupRoot root(dir);
  SKIP_UNLESS_CGROUP(root);
  RunSpec spec = IsolatedSpec(dir, *root, "sh -c 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > detached'; sleep 1000");
  pid_t agent = fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    // Stands in for the agent: starts the job from a thread that waits for it, then is killed.
    std::thread runner([&] {
      JobProcess job(spec);
      if (!job.Start().ok()) _exit(3);
      job.Wait();
    });
    runner.join();
    _exit(0);
  }
  ASSERT_TRUE(Eventually([&] { return !ReadAll(spec.work_dir + "/detached").empty(); }, 10, "the job detached a sleep"));
  const pid_t detached = std::stoi(ReadAll(spec.work_dir + "/detached"));
  ASSERT_FALSE(ProcessGone(detached));
  kill(agent, SIGKILL);
  int status = 0;
  waitpid(agent, &status, 0);
  EXPECT_TRUE(Eventually([&] { return ProcessGone(detached); }, 10, "the detached sleep killed by the shepherd"))
      << "pid " << detached << " outlived the agent";
  EXPECT_TRUE(Eventually([&] { return !std::filesystem::exists(spec.cgroup_dir); }, 10, "the job's cgroup removed by the shepherd"));
  kill(detached, SIGKILL);
  (void)RemoveJobCgroup(spec.cgroup_dir);
}

TEST(JobIsolation, SetupFailureFailsTheJobWithAnErrorNamingTheStep) {
  SharedDir dir;
  RunSpec spec = Spec(dir, "echo ran");
  // Not a cgroup: its cgroup.procs cannot be written, so the shepherd cannot join it.
  spec.cgroup_dir = dir.MakeDir("not-a-cgroup");
  JobProcess process(spec);
  ASSERT_TRUE(process.Start().ok());
  RunOutcome outcome = process.Wait();
  EXPECT_EQ(outcome.exit_code, -1);
  EXPECT_EQ(outcome.error, "cannot start: joining cgroup " + spec.cgroup_dir + ": No such file or directory");
  const std::string log = ReadAll(spec.log_path);
  EXPECT_EQ(log.find("ran"), std::string::npos);
  EXPECT_NE(log.find(outcome.error), std::string::npos) << log;
}

TEST(JobCgroup, SweepKillsLeftoverJobCgroups) {
  SKIP_UNLESS_ROOT();
  TempDir dir;
  CgroupRoot root(dir);
  SKIP_UNLESS_CGROUP(root);
  const std::string leftover = *root + "/old-job-1";
  ASSERT_TRUE(CreateJobCgroup(leftover).ok());
  pid_t sleeper = fork();
  if (sleeper == 0) {
    execl("/bin/sleep", "sleep", "1000", nullptr);
    _exit(127);
  }
  ASSERT_TRUE(std::filesystem::exists(leftover + "/cgroup.procs"));
  {
    FILE* procs = std::fopen((leftover + "/cgroup.procs").c_str(), "w");
    ASSERT_NE(procs, nullptr);
    std::fprintf(procs, "%d", sleeper);
    std::fclose(procs);
  }
  EXPECT_EQ(SweepJobCgroups(*root), 1);
  int status = 0;
  ASSERT_EQ(waitpid(sleeper, &status, 0), sleeper);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(std::filesystem::exists(leftover));
}

TEST(JobCgroup, FindsTheV2MountAndTheOwnCgroup) {
  TempDir dir;
  struct Case {
    std::string mounts;
    std::string want;  // empty: not found
  };
  const Case cases[] = {
      {"cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n", "/sys/fs/cgroup"},
      {"tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
       "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n",
       "/sys/fs/cgroup/unified"},
      {"cgroup2 /mnt/cg\\040v2 cgroup2 rw 0 0\n", "/mnt/cg v2"},
      {"cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n", ""},
  };
  for (const auto& c : cases) {
    auto mount = FindCgroup2Mount(dir.WriteFile("mounts", c.mounts));
    if (c.want.empty()) {
      ASSERT_FALSE(mount.ok()) << c.mounts;
      EXPECT_NE(mount.status().message().find("no cgroup v2"), std::string::npos) << mount.status().message();
    } else {
      ASSERT_TRUE(mount.ok()) << c.mounts;
      EXPECT_EQ(*mount, c.want);
    }
  }
  EXPECT_EQ(*OwnCgroup2Path(dir.WriteFile("cgroup", "4:memory:/x\n0::/system.slice/buildfarm-agent.service\n")),
            "/system.slice/buildfarm-agent.service");
  EXPECT_FALSE(OwnCgroup2Path(dir.WriteFile("cgroup", "4:memory:/x\n")).ok());
  auto none = PrepareJobCgroupRoot("", dir.path(), dir.WriteFile("mounts", "proc /proc proc rw 0 0\n"));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no cgroup v2"), std::string::npos);
  EXPECT_FALSE(ParseCgroupMode("sometimes").ok());
  EXPECT_EQ(*ParseCgroupMode("off"), CgroupMode::kOff);
}

TEST(JobIdentityPool, GivesEachRunningJobItsOwnUidAndRefusesWhenFull) {
  auto pool = JobIdentityPool::Create({"", std::pair<std::int64_t, std::int64_t>{300000, 2}}, 0);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  EXPECT_TRUE((*pool)->switches_user());
  auto b = (*pool)->Acquire();
  {
    auto a = (*pool)->Acquire();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(b->identity()->uid, 300000u);
    EXPECT_EQ(b->identity()->gid, 300000u);
    EXPECT_EQ(a->identity()->uid, 300001u);
    auto full = (*pool)->Acquire();
    ASSERT_FALSE(full.ok());
    EXPECT_NE(full.status().message().find("jobs.uid_range"), std::string::npos);
  }  // a's lease ends: its uid is free again
  auto again = (*pool)->Acquire();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->identity()->uid, 300001u);
}

TEST(JobIdentityPool, DefaultsAndErrors) {
  auto as_root = JobIdentityPool::Create({}, 0);
  ASSERT_TRUE(as_root.ok());
  EXPECT_EQ((*as_root)->Acquire()->identity()->uid, static_cast<uid_t>(kDefaultJobUidFirst));
  auto not_root = JobIdentityPool::Create({}, 1000);
  ASSERT_TRUE(not_root.ok());
  EXPECT_FALSE((*not_root)->switches_user());
  EXPECT_FALSE((*not_root)->Acquire()->identity().has_value());
  struct Case {
    JobUserPolicy policy;
    uid_t agent_uid;
    const char* needle;
  };
  const Case cases[] = {
      {{"nobody", std::nullopt}, 1000, "jobs.run_as: running jobs as another user needs the agent to run as root"},
      {{"", std::pair<std::int64_t, std::int64_t>{5000, 10}}, 1000, "jobs.uid_range: running jobs as other uids needs"},
      {{"no-such-user-here", std::nullopt}, 0, "jobs.run_as: no such user \"no-such-user-here\""},
      {{"root", std::nullopt}, 0, "is root"},
      {{"nobody", std::pair<std::int64_t, std::int64_t>{5000, 10}}, 0, "not both"},
      {{"", std::pair<std::int64_t, std::int64_t>{4294967290, 100}}, 0, "jobs.uid_range: want [first, count]"},
  };
  for (const auto& c : cases) {
    auto pool = JobIdentityPool::Create(c.policy, c.agent_uid);
    ASSERT_FALSE(pool.ok()) << c.needle;
    EXPECT_NE(pool.status().message().find(c.needle), std::string::npos) << pool.status().message();
  }
}

TEST(ParseUmask, AcceptsOctalUpTo0777) {
  EXPECT_EQ(*ParseUmask("077"), 077u);
  EXPECT_EQ(*ParseUmask("0022"), 022u);
  EXPECT_EQ(*ParseUmask("0"), 0u);
  for (const char* bad : {"", "8", "0778", "01000", "u=rwx", "77777"}) EXPECT_FALSE(ParseUmask(bad).ok()) << bad;
}

}  // namespace
}  // namespace buildfarm::agent
