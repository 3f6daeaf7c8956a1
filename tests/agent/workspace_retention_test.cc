// Retention of finished jobs' workspaces and logs (agent/workspace_retention.h).
#include "agent/workspace_retention.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace buildfarm::agent {
namespace {

namespace fs = std::filesystem;
using buildfarm::testing::TempDir;

void SetAge(const fs::path& path, std::chrono::hours age) {
  fs::last_write_time(path, fs::file_time_type::clock::now() - age);
}

TEST(WorkspaceRetention, DeletesExpiredWorkspacesAndLogsButNeverRunningOnes) {
  TempDir dir;
  using std::chrono::hours;
  struct Entry {
    std::string name;  // "x/" is a workspace directory
    hours age;
    bool kept;
  };
  const Entry entries[] = {
      {"old-1/", hours(30), false},            // workspace older than 24h
      {"old-1.log", hours(30), true},          // its log is kept for 7d
      {"fresh-2/", hours(1), true},
      {"fresh-2.log", hours(1), true},
      {"running-1/", hours(100), true},        // a running attempt: never touched
      {"running-1.log", hours(200), true},
      {"ancient-3.log", hours(24 * 8), false}, // log older than 7d
      {"results-spool.json", hours(1000), true},  // not a job's file
      {"results-spool.json.corrupt-17", hours(1000), true},
      {"nolog-4/", hours(25), false},          // no log: the directory's own age
  };
  for (const auto& e : entries) {
    if (e.name.back() == '/') {
      dir.WriteFile(e.name + "out.o", "object");
    } else {
      dir.WriteFile(e.name, "text");
    }
  }
  for (const auto& e : entries) SetAge(dir.Join(e.name), e.age);
  SweepCounts counts = SweepWorkspaces(dir.path(), RetentionPolicy{}, {"running-1"});
  EXPECT_EQ(counts.workspaces, 2);
  EXPECT_EQ(counts.logs, 1);
  for (const auto& e : entries) EXPECT_EQ(fs::exists(dir.Join(e.name)), e.kept) << e.name;
}

TEST(WorkspaceRetention, ZeroRetentionDeletesAFinishedAttemptAtOnce) {
  TempDir dir;
  dir.WriteFile("job-1/out.o", "object");
  dir.WriteFile("job-1.log", "log");
  RemoveAttemptFiles(dir.path(), "job-1", RetentionPolicy{.workspace_seconds = 0, .log_seconds = 3600});
  EXPECT_FALSE(fs::exists(dir.Join("job-1")));
  EXPECT_TRUE(fs::exists(dir.Join("job-1.log")));
  RemoveAttemptFiles(dir.path(), "job-1", RetentionPolicy{.workspace_seconds = 0, .log_seconds = 0});
  EXPECT_FALSE(fs::exists(dir.Join("job-1.log")));
  EXPECT_DOUBLE_EQ(SweepIntervalSeconds({.workspace_seconds = 0, .log_seconds = 3600}), 1);
  EXPECT_DOUBLE_EQ(SweepIntervalSeconds({}), 600);
}

}  // namespace
}  // namespace buildfarm::agent
