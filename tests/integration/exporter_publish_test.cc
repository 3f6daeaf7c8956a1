// buildfarm-exporter publishing its status document to git: `publish --once` (cron, run by
// buildfarm-exporter-publish) and the daemon's publishing child with the publish metrics on /metrics;
// the scrape-serving process never maps libgit2, the child is restarted when it dies and dies with the
// exporter.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/integration/exporter_harness.h"
#include "tests/support/eventually.h"
#include "tests/support/git_repo.h"
#include "tests/support/prom_text.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

std::string PublishConfig(const TempDir& dir, const std::string& remote, const std::string& extra = "") {
  return dir.WriteFile("exporter.yml", "node_name: build7\npublish:\n  remote: " + remote +
                                           "\n  branch: status\n  state_dir: " + dir.Join("state") + "\n" + extra);
}

std::string ReadProcFile(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool MapsLibgit2(pid_t pid) { return ReadProcFile(pid, "maps").find("libgit2") != std::string::npos; }

// Gone, or a zombie nobody reaped yet: either way it no longer runs.
bool ProcessEnded(pid_t pid) {
  std::string stat = ReadProcFile(pid, "stat");
  if (stat.empty()) return true;
  std::size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

// The exporter's publishing child, once it runs.
pid_t PublishChildOf(pid_t exporter) {
  pid_t found = 0;
  Eventually(
      [&] {
        for (pid_t child : ChildPids(exporter)) {
          if (ReadProcFile(child, "cmdline").find("--serve-parent") != std::string::npos) found = child;
        }
        return found != 0;
      },
      20, "buildfarm-exporter-publish --serve-parent under the exporter");
  return found;
}

// A fixture with a git daemon serving an empty farm.git and an exporter config publishing every second.
class PublishingExporter : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitBareRepo(served_ + "/farm.git"));
    std::string error;
    ASSERT_TRUE(daemon_.Start(&error)) << error;
    config_ = PublishConfig(dir_, daemon_.Url("farm.git"), "  interval: 1s\n");
  }
  RunningProgram Start() {
    std::vector<std::string> args = {"--config.file=" + config_, "--collector.disable-defaults", "--collector.loadavg"};
    for (const auto& flag : FixturePathFlags()) args.push_back(flag);
    return StartExporter(args);
  }
  std::string Scrape(const RunningProgram& exporter) { return HttpGet(exporter.address, "/metrics").body; }

  TempDir dir_;
  std::string served_ = dir_.MakeDir("served");
  GitDaemon daemon_{served_};
  std::string config_;
};

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

TEST_F(PublishingExporter, PublishesEveryIntervalOverGitDaemonAndExportsMetrics) {
  RunningProgram exporter = Start();
  ASSERT_FALSE(exporter.address.empty()) << exporter.process->Log();
  ASSERT_TRUE(Eventually(
      [&] { return FileAtBranch(served_ + "/farm.git", "status", "nodes/build7/status.json").has_value(); }, 30,
      "nodes/build7/status.json on the status branch"))
      << exporter.process->Log();
  auto scrape = [&] { return Scrape(exporter); };
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
  EXPECT_NE(metrics.value.find("buildfarm_exporter_publish_restarts_total 0"), std::string::npos);
  std::string error;
  EXPECT_TRUE(ParsePromText(metrics.value, &error).has_value()) << "the child's text joins a valid exposition: " << error;
  const pid_t child = PublishChildOf(exporter.process->pid());
  EXPECT_EQ(exporter.process->Stop(), 0);
  EXPECT_TRUE(ProcessEnded(child)) << "the exporter stops its publishing child before it exits";
}

// The point of the publishing child: the scrape-serving process never maps libgit2, with or without
// publish:, and the child does.
TEST_F(PublishingExporter, OnlyThePublishingChildMapsLibgit2) {
  std::vector<std::string> plain_args = {"--collector.disable-defaults", "--collector.loadavg"};
  for (const auto& flag : FixturePathFlags()) plain_args.push_back(flag);
  RunningProgram plain = StartExporter(plain_args);
  ASSERT_FALSE(plain.address.empty()) << plain.process->Log();
  RunningProgram publishing = Start();
  ASSERT_FALSE(publishing.address.empty()) << publishing.process->Log();
  for (int scrape = 0; scrape < 3; ++scrape) {
    EXPECT_EQ(HttpGet(plain.address, "/metrics").status, 200);
    EXPECT_EQ(HttpGet(publishing.address, "/metrics").status, 200);
  }
  EXPECT_FALSE(MapsLibgit2(plain.process->pid())) << "buildfarm-exporter without publish: maps libgit2";
  EXPECT_TRUE(ChildPids(plain.process->pid()).empty()) << "no publishing child without publish:";
  EXPECT_FALSE(MapsLibgit2(publishing.process->pid())) << "buildfarm-exporter with publish: maps libgit2";
  const pid_t child = PublishChildOf(publishing.process->pid());
  ASSERT_NE(child, 0) << publishing.process->Log();
  EXPECT_TRUE(MapsLibgit2(child)) << "the publishing child is where libgit2 lives";
}

TEST_F(PublishingExporter, AKilledChildIsRestartedAndPublishingResumes) {
  RunningProgram exporter = Start();
  ASSERT_FALSE(exporter.address.empty()) << exporter.process->Log();
  const pid_t first = PublishChildOf(exporter.process->pid());
  ASSERT_NE(first, 0) << exporter.process->Log();
  // Rounds the current child counted (every result), and of those the ones where the remote held the
  // document. The first child is killed after two rounds; a child's counters start at 0, so a total
  // of exactly 1 afterwards can only be the new child's first round.
  auto rounds = [&](bool successful_only) {
    std::string error;
    auto exposition = ParsePromText(Scrape(exporter), &error);
    double total = 0;
    if (!exposition) return -1.0;
    for (const auto& sample : exposition->samples) {
      if (sample.name != "buildfarm_publish_attempts_total") continue;
      const std::string result = sample.Label("result");
      if (!successful_only || result == "ok" || result == "unchanged") total += sample.value;
    }
    return total;
  };
  ASSERT_TRUE(Eventually([&] { return rounds(true) >= 2; }, 30, "two rounds of the first child"))
      << exporter.process->Log();
  ASSERT_EQ(kill(first, SIGKILL), 0);
  ASSERT_TRUE(Eventually([&] { return Scrape(exporter).find("buildfarm_exporter_publish_restarts_total 1\n") !=
                                      std::string::npos; },
                         30, "the restart counted on /metrics"))
      << exporter.process->Log();
  const pid_t second = PublishChildOf(exporter.process->pid());
  EXPECT_NE(second, first);
  EXPECT_TRUE(Eventually([&] { return rounds(false) == 1 && rounds(true) == 1; }, 30,
                         "a successful round of the new child on /metrics"))
      << exporter.process->Log();
  EXPECT_NE(exporter.process->Log().find("publish child ended; restarting it"), std::string::npos);
}

TEST_F(PublishingExporter, TheChildExitsWhenTheExporterIsKilled) {
  RunningProgram exporter = Start();
  ASSERT_FALSE(exporter.address.empty()) << exporter.process->Log();
  const pid_t child = PublishChildOf(exporter.process->pid());
  ASSERT_NE(child, 0) << exporter.process->Log();
  // Only the exporter: not its process group, which would take the child with it.
  ASSERT_EQ(kill(exporter.process->pid(), SIGKILL), 0);
  EXPECT_TRUE(Eventually([&] { return ProcessEnded(child); }, 20, "the orphaned publishing child exited"));
}

// Without buildfarm-exporter-publish next to it, `publish --once` and a daemon with publish: name the
// missing program instead of failing somewhere later.
TEST(ExporterPublish, AMissingPublishProgramIsNamed) {
  TempDir dir;
  const std::string lonely = dir.Join("buildfarm-exporter");
  std::filesystem::copy_file(ExporterBinary(), lonely);
  std::filesystem::permissions(lonely, std::filesystem::perms::owner_all);
  ASSERT_TRUE(InitBareRepo(dir.Join("farm.git")));
  std::string config = PublishConfig(dir, "file://" + dir.Join("farm.git"));
  const std::string missing = dir.Join("buildfarm-exporter-publish");
  std::string output;
  EXPECT_EQ(RunCommand({lonely, "publish", "--once", "--config.file=" + config}, &output, 30), 1) << output;
  EXPECT_NE(output.find(missing), std::string::npos) << output;
  EXPECT_EQ(RunCommand({lonely, "--web.listen-address=127.0.0.1:0", "--config.file=" + config}, &output, 30), 1)
      << output;
  EXPECT_NE(output.find(missing), std::string::npos) << output;
}

}  // namespace
}  // namespace buildfarm::testing
