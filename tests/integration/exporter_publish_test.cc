// buildfarm-exporter publishing its status document to git: `publish --once` (cron) and the daemon's
// background publishing with the publish metrics on /metrics.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/exporter_harness.h"
#include "tests/support/eventually.h"
#include "tests/support/git_repo.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

std::string PublishConfig(const TempDir& dir, const std::string& remote, const std::string& extra = "") {
  return dir.WriteFile("exporter.yml", "node_name: build7\npublish:\n  remote: " + remote +
                                           "\n  branch: status\n  state_dir: " + dir.Join("state") + "\n" + extra);
}

TEST(ExporterPublish, OnceWritesAValidStatusDocumentAndExitsZero) {
  TempDir dir;
  ASSERT_TRUE(InitBareRepo(dir.Join("farm.git")));
  std::string config = PublishConfig(dir, "file://" + dir.Join("farm.git"));
  std::vector<std::string> argv = {ExporterBinary(), "publish", "--once", "--config.file=" + config};
  for (const auto& flag : FixturePathFlags()) argv.push_back(flag);
  std::string output;
  ASSERT_EQ(RunCommand(argv, &output, 60), 0) << output;
  auto document = FileAtBranch(dir.Join("farm.git"), "status", "nodes/build7/status.json");
  ASSERT_TRUE(document.has_value());
  auto json = nlohmann::json::parse(*document);
  EXPECT_EQ(json["server_id"], "build7");
  EXPECT_TRUE(json.contains("timestamp"));
  // A second run has a new timestamp; it commits only if a measured value moved too (disk_free_gb
  // reads the real disk under the fixture root). Either way no commit may change only the timestamp.
  ASSERT_EQ(RunCommand(argv, &output, 60), 0) << output;
  int commits = CommitCount(dir.Join("farm.git"), "status");
  ASSERT_GE(commits, 1);
  if (commits == 2) {
    auto before = nlohmann::json::parse(*FileAtBranch(dir.Join("farm.git"), "status~1", "nodes/build7/status.json"));
    auto after = nlohmann::json::parse(*FileAtBranch(dir.Join("farm.git"), "status", "nodes/build7/status.json"));
    before.erase("timestamp");
    after.erase("timestamp");
    EXPECT_NE(before, after) << "a commit changed only the timestamp";
  } else {
    EXPECT_EQ(commits, 1);
  }
}

TEST(ExporterPublish, OnceExitsOneWhenTheRemoteIsUnreachable) {
  TempDir dir;
  RefusedLoopbackPort nobody;
  std::string config = PublishConfig(dir, "git://127.0.0.1:" + std::to_string(nobody.port()) + "/farm.git");
  std::vector<std::string> argv = {ExporterBinary(), "publish", "--once", "--config.file=" + config};
  for (const auto& flag : FixturePathFlags()) argv.push_back(flag);
  std::string output;
  EXPECT_EQ(RunCommand(argv, &output, 60), 1) << output;
  EXPECT_NE(output.find("status publish failed"), std::string::npos) << output;
}

TEST(ExporterPublish, UsageErrorsExitTwo) {
  TempDir dir;
  std::string no_publish = dir.WriteFile("plain.yml", "node_name: a\n");
  std::string output;
  EXPECT_EQ(RunCommand({ExporterBinary(), "publish", "--config.file=" + no_publish}, &output, 30), 2) << output;
  EXPECT_NE(output.find("--once"), std::string::npos) << output;
  EXPECT_EQ(RunCommand({ExporterBinary(), "publish", "--once", "--config.file=" + no_publish}, &output, 30), 2);
  EXPECT_NE(output.find("publish"), std::string::npos) << output;
}

TEST(ExporterPublish, DaemonPublishesEveryIntervalOverGitDaemonAndExportsMetrics) {
  TempDir dir;
  std::string served = dir.MakeDir("served");
  ASSERT_TRUE(InitBareRepo(served + "/farm.git"));
  GitDaemon daemon(served);
  std::string error;
  ASSERT_TRUE(daemon.Start(&error)) << error;
  std::string config = PublishConfig(dir, daemon.Url("farm.git"), "  interval: 1s\n");
  std::vector<std::string> args = {"--config.file=" + config, "--collector.disable-defaults", "--collector.loadavg"};
  for (const auto& flag : FixturePathFlags()) args.push_back(flag);
  RunningProgram exporter = StartExporter(args);
  ASSERT_FALSE(exporter.address.empty()) << exporter.process->Log();
  ASSERT_TRUE(Eventually(
      [&] { return FileAtBranch(served + "/farm.git", "status", "nodes/build7/status.json").has_value(); }, 30,
      "nodes/build7/status.json on the status branch"))
      << exporter.process->Log();
  auto scrape = [&] { return HttpGet(exporter.address, "/metrics").body; };
  auto metrics = EventuallyValue(
      scrape,
      [](const std::string& body) {
        return body.find("buildfarm_publish_attempts_total{result=\"ok\"} 1") != std::string::npos;
      },
      30, "one successful publish attempt on /metrics");
  ASSERT_TRUE(metrics.result);
  EXPECT_NE(metrics.value.find("buildfarm_publish_last_success_timestamp_seconds"), std::string::npos);
  EXPECT_NE(metrics.value.find("buildfarm_publish_pending 0"), std::string::npos);
  EXPECT_NE(metrics.value.find("buildfarm_publish_refused_total{reason=\"github_token\"} 0"), std::string::npos);
  // Later rounds find only the timestamp changed: counted as unchanged, no new commits.
  ASSERT_TRUE(EventuallyValue(
                  scrape,
                  [](const std::string& body) {
                    return body.find("buildfarm_publish_attempts_total{result=\"unchanged\"} 0") == std::string::npos;
                  },
                  30, "a publish round counted as unchanged")
                  .result);
  EXPECT_EQ(exporter.process->Stop(), 0);
}

}  // namespace
}  // namespace buildfarm::testing
