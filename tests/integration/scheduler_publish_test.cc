// The scheduler publishing the coordination files to a real `git daemon` on loopback: jobs.json,
// messages.json and nodes/index.json every interval, coordination/archive/<day>.json when messages are
// archived; a message holding a secret is refused and appears nowhere in the repository's history or
// the scheduler's log; every published file validates (build-cli validate on the checked-out files).
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "tests/integration/exporter_harness.h"
#include "tests/integration/farm_harness.h"
#include "tests/support/git_repo.h"
#include "tests/support/process.h"

namespace buildfarm::testing {
namespace {

using nlohmann::json;

std::string TodayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm);
  return buffer;
}

bool HasId(const std::optional<std::string>& file, const std::string& id) {
  if (!file) return false;
  json list = json::parse(*file, nullptr, false);
  if (!list.is_array()) return false;
  for (const auto& item : list) {
    if (item.value("id", "") == id) return true;
  }
  return false;
}

TEST(SchedulerPublish, CoordinationFilesReachTheRepositoryAndSecretsNever) {
  TempDir served;
  const std::string repo = served.Join("farm.git");
  ASSERT_TRUE(InitBareRepo(repo));
  GitDaemon daemon(served.path());
  std::string error;
  ASSERT_TRUE(daemon.Start(&error)) << error;

  FarmOptions options;
  options.agents = 2;
  options.publish = "{remote: '" + daemon.Url("farm.git") + "', branch: main, interval: 1s, state_dir: '" +
                    served.Join("mirror") + "'}";
  Farm farm(options);
  ASSERT_TRUE(farm.Start(&error)) << error;

  int status = 0;
  json jobs = json::array({{{"id", "pub-1"}, {"command", "true"}}, {{"id", "pub-2"}, {"command", "true"}}});
  farm.Call("POST", "/api/v1/jobs", json{{"jobs", jobs}}.dump(), &status);
  ASSERT_EQ(status, 201);
  auto done = farm.WaitTerminal({"pub-1", "pub-2"}, 60);
  ASSERT_EQ(done["pub-2"].value("status", ""), "completed") << farm.Logs();

  json sent = farm.Call("POST", "/api/v1/messages",
                        json{{"from", "n1"}, {"to", "n2"}, {"subject", "disk swap"}, {"body", "tonight at 22:00"}}.dump(),
                        &status);
  ASSERT_EQ(status, 201) << sent.dump();
  const std::string message_id = sent.value("id", "");
  const std::string secret = "ghp_" + std::string("Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lm9Nb8V");
  json refused = farm.Call("POST", "/api/v1/messages",
                           json{{"from", "n1"}, {"to", "all"}, {"subject", "ci token"}, {"body", "use " + secret}}.dump(),
                           &status);
  EXPECT_EQ(status, 400) << refused.dump();
  EXPECT_EQ(refused.value("field", ""), "body");
  EXPECT_EQ(refused.dump().find(secret), std::string::npos);

  ASSERT_TRUE(Eventually(
      [&] {
        return HasId(FileAtBranch(repo, "main", "coordination/jobs.json"), "pub-2") &&
               HasId(FileAtBranch(repo, "main", "coordination/messages.json"), message_id) &&
               FileAtBranch(repo, "main", "nodes/index.json").has_value();
      },
      30, "pub-2, message " + message_id + " and nodes/index.json published on main"))
      << farm.Logs();
  EXPECT_EQ(json::parse(*FileAtBranch(repo, "main", "nodes/index.json")), json({"n1", "n2"}));

  // Read, then archive everything read: the day's archive file holds it and messages.json no longer does.
  farm.Call("POST", "/api/v1/messages/" + message_id + "/read", json{{"reader", "n2"}}.dump(), &status);
  ASSERT_EQ(status, 200);
  json archived = farm.Call("POST", "/api/v1/messages/archive", json{{"days", 0}}.dump(), &status);
  ASSERT_EQ(status, 200) << archived.dump();
  EXPECT_EQ(archived.value("archived", 0), 1);
  const std::string archive_path = "coordination/archive/" + TodayUtc() + ".json";
  ASSERT_TRUE(Eventually(
      [&] {
        return HasId(FileAtBranch(repo, "main", archive_path), message_id) &&
               !HasId(FileAtBranch(repo, "main", "coordination/messages.json"), message_id);
      },
      30, "message " + message_id + " moved from messages.json to " + archive_path))
      << farm.Logs();

  // The secret is nowhere: not in any commit of any branch, not in the scheduler's log.
  auto history = Git(repo, {"log", "-p", "--all"});
  ASSERT_TRUE(history.has_value());
  EXPECT_NE(history->find("disk swap"), std::string::npos);  // the log really holds the contents
  EXPECT_EQ(history->find(secret), std::string::npos);
  EXPECT_EQ(history->find("ci token"), std::string::npos);
  EXPECT_EQ(farm.scheduler().Log().find(secret), std::string::npos);

  // Every published file validates with build-cli.
  std::vector<std::string> argv{BinaryPath("cli/build-cli"), "validate"};
  for (const std::string path : {"coordination/jobs.json", "coordination/messages.json", archive_path.c_str()}) {
    auto text = FileAtBranch(repo, "main", path);
    ASSERT_TRUE(text.has_value()) << path;
    std::string local = path;
    std::replace(local.begin(), local.end(), '/', '_');
    argv.push_back(served.WriteFile(local, *text));
  }
  std::string output;
  EXPECT_EQ(RunCommand(argv, &output, 30), 0) << output;

  HttpReply metrics = HttpGet(farm.address(), "/metrics");
  EXPECT_NE(metrics.body.find("buildfarm_publish_refused_total{reason=\"github_token\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_EQ(metrics.body.find("buildfarm_publish_attempts_total{result=\"ok\"} 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("buildfarm_publish_attempts_total{result=\"invalid\"} 0"), std::string::npos);
}

// The exporter's status updater fills the status document's `metrics` from the scheduler's node history
// (viewer token); with the scheduler unreachable it publishes the document without `metrics`.
TEST(SchedulerPublish, ExporterStatusCarriesTheSchedulersHistory) {
  FarmOptions options;
  options.agents = 1;
  Farm farm(options);
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  int status = 0;
  json jobs = json::array({{{"id", "h-ok"}, {"command", "true"}}, {{"id", "h-bad"}, {"command", "exit 3"}}});
  farm.Call("POST", "/api/v1/jobs", json{{"jobs", jobs}}.dump(), &status);
  ASSERT_EQ(status, 201);
  auto done = farm.WaitTerminal({"h-ok", "h-bad"}, 60);
  ASSERT_EQ(done["h-bad"].value("status", ""), "failed") << farm.Logs();

  TempDir dir;
  ASSERT_TRUE(InitBareRepo(dir.Join("farm.git")));
  const std::string token_file = dir.WriteSecretFile("viewer.token", farm.viewer_token() + "\n");
  auto publish_once = [&](const std::string& scheduler_url) {
    std::string config = dir.WriteFile(
        "exporter.yml", "node_name: n1\npublish:\n  remote: file://" + dir.Join("farm.git") +
                            "\n  branch: status\n  state_dir: " + dir.Join("state") + "\n  scheduler_url: " +
                            scheduler_url + "\n  token_file: " + token_file + "\n  scheduler_timeout: 2s\n");
    std::vector<std::string> argv = {ExporterBinary(), "publish", "--once", "--config.file=" + config};
    for (const auto& flag : FixturePathFlags()) argv.push_back(flag);
    std::string output;
    EXPECT_EQ(RunCommand(argv, &output, 60), 0) << output;
    EXPECT_EQ(output.find(farm.viewer_token()), std::string::npos);
    auto document = FileAtBranch(dir.Join("farm.git"), "status", "nodes/n1/status.json");
    return document ? json::parse(*document, nullptr, false) : json();
  };

  json with = publish_once("http://" + farm.address());
  ASSERT_TRUE(with.contains("metrics")) << with.dump();
  EXPECT_EQ(with["metrics"].value("builds_today", -1), 2) << with.dump();
  EXPECT_EQ(with["metrics"].value("builds_this_week", -1), 2);
  EXPECT_EQ(with["metrics"].value("success_rate_percent", -1.0), 50.0);
  EXPECT_TRUE(with["metrics"].contains("avg_build_time_seconds"));
  EXPECT_EQ(with["metrics"].value("uptime_percent", -1.0), 100.0);

  RefusedLoopbackPort no_scheduler;
  json without = publish_once("http://127.0.0.1:" + std::to_string(no_scheduler.port()));
  ASSERT_TRUE(without.contains("server_id")) << without.dump();
  EXPECT_FALSE(without.contains("metrics")) << without.dump();
}

}  // namespace
}  // namespace buildfarm::testing
