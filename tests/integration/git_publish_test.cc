// The git publisher against a real `git daemon` on loopback (git://): concurrent publisher
// processes, the remote going away and coming back; bounded history over 500 pushes (file://), and a
// credential bound over HTTP.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <memory>
#include <regex>
#include <thread>

#include "common/git_publisher/publisher.h"
#include "tests/support/git_repo.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::git_publisher {
namespace {

using buildfarm::testing::CommitCount;
using buildfarm::testing::FileAtBranch;
using buildfarm::testing::GitDaemon;

class GitDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(buildfarm::testing::HaveProgram("git"));
    base_ = dir_.MakeDir("served");
    remote_ = base_ + "/farm.git";
    ASSERT_TRUE(buildfarm::testing::InitBareRepo(remote_));
    daemon_ = std::make_unique<GitDaemon>(base_);
    std::string error;
    ASSERT_TRUE(daemon_->Start(&error)) << error;
  }

  PublisherOptions Options(const std::string& state) const {
    PublisherOptions options;
    options.remote_url = daemon_->Url("farm.git");
    options.branch = "status";
    options.state_dir = dir_.Join(state);
    options.initial_backoff_seconds = 0.05;
    return options;
  }

  buildfarm::testing::TempDir dir_;
  std::string base_;
  std::string remote_;
  std::unique_ptr<GitDaemon> daemon_;
  Logger log_{LogLevel::kWarn};
  PublishMetrics metrics_;
};

TEST_F(GitDaemonTest, TenPublisherProcessesEachLandTheirLastState) {
  constexpr int kPublishers = 10;
  constexpr int kUpdates = 20;
  std::vector<std::unique_ptr<buildfarm::testing::ChildProcess>> publishers;
  for (int i = 0; i < kPublishers; ++i) {
    std::string node = "build" + std::to_string(i);
    publishers.push_back(std::make_unique<buildfarm::testing::ChildProcess>(
        std::vector<std::string>{buildfarm::testing::BinaryPath("tests/publish_client"), daemon_->Url("farm.git"),
                                 dir_.Join("state-" + node), node, std::to_string(kUpdates)},
        dir_.Join(node + ".log")));
    std::string error;
    ASSERT_TRUE(publishers.back()->Start(&error)) << error;
  }
  int total_rejections = 0;
  for (int i = 0; i < kPublishers; ++i) {
    auto line = publishers[i]->WaitForLogLine("pending=", 560);
    ASSERT_TRUE(line.has_value()) << publishers[i]->Log();
    EXPECT_EQ(publishers[i]->Stop(0, 30), 0) << publishers[i]->Log();
    std::printf("publisher %d: %s\n", i, line->c_str());
    std::smatch match;
    ASSERT_TRUE(std::regex_search(*line, match, std::regex("rejections=(\\d+)")));
    total_rejections += std::stoi(match[1]);
  }
  std::printf("total rejections (each retried): %d\n", total_rejections);
  for (int i = 0; i < kPublishers; ++i) {
    std::string node = "build" + std::to_string(i);
    EXPECT_EQ(FileAtBranch(remote_, "status", "nodes/" + node + "/status.json"),
              "{\"server_id\":\"" + node + "\",\"seq\":" + std::to_string(kUpdates) + "}\n");
  }
  std::string out;
  EXPECT_EQ(buildfarm::testing::RunCommand({"git", "--git-dir=" + remote_, "fsck", "--strict"}, &out, 120), 0) << out;
  // Every commit is a child of the one before: nobody overwrote anybody (no forced update happened).
  auto merges = buildfarm::testing::Git(remote_, {"rev-list", "--count", "--max-parents=0", "refs/heads/status"});
  ASSERT_TRUE(merges.has_value());
  EXPECT_EQ(std::stoi(*merges), 1) << "one root commit";
}

TEST_F(GitDaemonTest, RemoteDownThenUpDeliversTheLatestStateOnly) {
  auto publisher = Publisher::Open(Options("state"), log_, &metrics_);
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  ASSERT_TRUE((*publisher)->Stage("nodes/build1/status.json", "{\"seq\":1}").ok());
  ASSERT_TRUE((*publisher)->Flush().ok());

  daemon_->Stop();
  for (int seq = 2; seq <= 5; ++seq) {
    ASSERT_TRUE((*publisher)->Stage("nodes/build1/status.json", "{\"seq\":" + std::to_string(seq) + "}").ok());
    auto flushed = (*publisher)->Flush();
    EXPECT_EQ(flushed.status().code(), StatusCode::kUnavailable) << flushed.status().ToString();
  }
  EXPECT_EQ((*publisher)->pending_count(), 1u);
  EXPECT_EQ(metrics_.pending(), 1);
  EXPECT_GE(metrics_.attempts("unavailable"), 4u);

  std::string error;
  ASSERT_TRUE(daemon_->Start(&error)) << error;
  auto flushed = (*publisher)->Flush();
  ASSERT_TRUE(flushed.ok()) << flushed.status().ToString();
  EXPECT_EQ(FileAtBranch(remote_, "status", "nodes/build1/status.json"), "{\"seq\":5}");
  // Two commits: seq 1 and seq 5; the states staged while the remote was down never overwrite it.
  EXPECT_EQ(CommitCount(remote_, "status"), 2);
  EXPECT_EQ((*publisher)->Flush().value(), FlushResult::kNothingPending);
  EXPECT_EQ(FileAtBranch(remote_, "status", "nodes/build1/status.json"), "{\"seq\":5}");
}

TEST_F(GitDaemonTest, BoundedHistoryHoldsAtMostNCommitsAfter500Updates) {
  constexpr int kLimit = 20;
  // Over file:// (the same libgit2 push path, minus git daemon's per-connection process start-up),
  // so that 500 pushes stay well within the test's time on a loaded machine.
  PublisherOptions options = Options("state");
  options.remote_url = "file://" + remote_;
  options.history_limit = kLimit;
  auto publisher = Publisher::Open(options, log_, &metrics_);
  ASSERT_TRUE(publisher.ok());
  ASSERT_TRUE((*publisher)->Stage("coordination/jobs.json", "[]").ok());
  for (int seq = 1; seq <= 500; ++seq) {
    ASSERT_TRUE((*publisher)->Stage("nodes/build1/status.json", "{\"seq\":" + std::to_string(seq) + "}").ok());
    auto flushed = (*publisher)->Flush();
    ASSERT_TRUE(flushed.ok()) << seq << ": " << flushed.status().ToString();
  }
  int commits = CommitCount(remote_, "status");
  EXPECT_GE(commits, 1);
  EXPECT_LE(commits, kLimit);
  EXPECT_EQ(FileAtBranch(remote_, "status", "nodes/build1/status.json"), "{\"seq\":500}");
  EXPECT_EQ(FileAtBranch(remote_, "status", "coordination/jobs.json"), "[]");
  std::string out;
  EXPECT_EQ(buildfarm::testing::RunCommand({"git", "--git-dir=" + remote_, "fsck"}, &out, 120), 0) << out;
}

// An HTTPS-style remote that refuses every credential: the publisher stops after the bound instead
// of asking libgit2's callback forever, and reports kUnauthenticated.
TEST(GitPublisherCredentials, StopsAfterTheCredentialBound) {
  httplib::Server server;
  int requests = 0;
  server.Get(".*", [&requests](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Basic realm=\"git\"");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&server] { server.listen_after_bind(); });
  buildfarm::testing::TempDir dir;
  setenv("BUILDFARM_TEST_PUBLISH_TOKEN", "not-a-valid-token", 1);
  PublisherOptions options;
  options.remote_url = "http://127.0.0.1:" + std::to_string(port) + "/farm.git";
  options.state_dir = dir.Join("state");
  options.token_env = "BUILDFARM_TEST_PUBLISH_TOKEN";
  options.max_credential_calls = 2;
  Logger log(LogLevel::kError);
  PublishMetrics metrics;
  auto publisher = Publisher::Open(options, log, &metrics);
  ASSERT_TRUE(publisher.ok());
  ASSERT_TRUE((*publisher)->Stage("a.json", "{}").ok());
  auto flushed = (*publisher)->Flush();
  server.stop();
  serving.join();
  EXPECT_EQ(flushed.status().code(), StatusCode::kUnauthenticated) << flushed.status().ToString();
  EXPECT_EQ(flushed.status().message().find("not-a-valid-token"), std::string::npos);
  EXPECT_EQ((*publisher)->stats().credential_calls, 2);
  EXPECT_LE(requests, 4);
  EXPECT_EQ(metrics.attempts("auth_failed"), 1u);
  EXPECT_EQ((*publisher)->pending_count(), 1u);
}

}  // namespace
}  // namespace buildfarm::git_publisher
