// The Publisher against bare repositories on disk (file://). The concurrent, git daemon and
// remote-down cases are in tests/integration/git_publish_test.cc.
#include "common/git_publisher/publisher.h"

#include <gtest/gtest.h>
#include <sys/time.h>

#include <filesystem>
#include <fstream>

#include "tests/support/git_repo.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::git_publisher {
namespace {

using buildfarm::testing::CommitCount;
using buildfarm::testing::FileAtBranch;

std::string StatusJson(const std::string& state, const std::string& timestamp) {
  return R"({"server_id":"build1","status":")" + state + R"(","timestamp":")" + timestamp + R"("})";
}

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    remote_ = dir_.Join("remote.git");
    ASSERT_TRUE(buildfarm::testing::InitBareRepo(remote_));
  }

  PublisherOptions Options() const {
    PublisherOptions options;
    options.remote_url = "file://" + remote_;
    options.branch = "status";
    options.state_dir = dir_.Join("state");
    options.initial_backoff_seconds = 0.01;
    return options;
  }

  std::unique_ptr<Publisher> Open(const PublisherOptions& options) {
    auto publisher = Publisher::Open(options, log_, &metrics_);
    EXPECT_TRUE(publisher.ok()) << publisher.status().ToString();
    return publisher.ok() ? std::move(publisher).value() : nullptr;
  }

  buildfarm::testing::TempDir dir_;
  std::string remote_;
  Logger log_{LogLevel::kWarn};
  PublishMetrics metrics_;
};

TEST_F(PublisherTest, PushesStagedFilesInOneCommit) {
  auto publisher = Open(Options());
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Stage("nodes/build1/status.json", StatusJson("online", "t1")).ok());
  ASSERT_TRUE(publisher->Stage("coordination/jobs.json", "[]").ok());
  EXPECT_EQ(metrics_.pending(), 2);
  auto flushed = publisher->Flush();
  ASSERT_TRUE(flushed.ok()) << flushed.status().ToString();
  EXPECT_EQ(*flushed, FlushResult::kPushed);
  EXPECT_EQ(FileAtBranch(remote_, "status", "nodes/build1/status.json"), StatusJson("online", "t1"));
  EXPECT_EQ(FileAtBranch(remote_, "status", "coordination/jobs.json"), "[]");
  EXPECT_EQ(CommitCount(remote_, "status"), 1);
  EXPECT_EQ(publisher->pending_count(), 0u);
  EXPECT_EQ(metrics_.pending(), 0);
  EXPECT_EQ(metrics_.attempts("ok"), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("state/index")));
}

TEST_F(PublisherTest, KeepsOnlyTheLatestContentPerPath) {
  auto publisher = Open(Options());
  ASSERT_TRUE(publisher);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(publisher->Stage("a.json", "{\"v\":" + std::to_string(i) + "}").ok());
  EXPECT_EQ(publisher->pending_count(), 1u);
  ASSERT_TRUE(publisher->Flush().ok());
  EXPECT_EQ(FileAtBranch(remote_, "status", "a.json"), "{\"v\":4}");
  EXPECT_EQ(CommitCount(remote_, "status"), 1);
}

TEST_F(PublisherTest, TimestampOnlyChangeMakesNoCommit) {
  auto publisher = Open(Options());
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Stage("nodes/build1/status.json", StatusJson("online", "t1")).ok());
  ASSERT_TRUE(publisher->Flush().ok());
  ASSERT_TRUE(publisher->Stage("nodes/build1/status.json", StatusJson("online", "t2")).ok());
  auto flushed = publisher->Flush();
  ASSERT_TRUE(flushed.ok());
  EXPECT_EQ(*flushed, FlushResult::kUnchanged);
  EXPECT_EQ(CommitCount(remote_, "status"), 1);
  EXPECT_EQ(publisher->pending_count(), 0u);
  ASSERT_TRUE(publisher->Stage("nodes/build1/status.json", StatusJson("offline", "t3")).ok());
  EXPECT_EQ(*publisher->Flush(), FlushResult::kPushed);
  EXPECT_EQ(CommitCount(remote_, "status"), 2);
}

TEST_F(PublisherTest, HeartbeatFileCommitsTimestampChanges) {
  PublisherOptions options = Options();
  options.heartbeat_paths = {"nodes/build1/heartbeat.json"};
  auto publisher = Open(options);
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Stage("nodes/build1/heartbeat.json", R"({"timestamp":"t1"})").ok());
  ASSERT_TRUE(publisher->Flush().ok());
  ASSERT_TRUE(publisher->Stage("nodes/build1/heartbeat.json", R"({"timestamp":"t2"})").ok());
  EXPECT_EQ(*publisher->Flush(), FlushResult::kPushed);
  EXPECT_EQ(CommitCount(remote_, "status"), 2);
}

TEST_F(PublisherTest, RefusesSecretsWithoutNamingThem) {
  auto publisher = Open(Options());
  ASSERT_TRUE(publisher);
  Status refused = publisher->Stage("coordination/messages.json", R"({"body":"password: hunter2"})");
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("password"), std::string::npos);
  EXPECT_EQ(refused.message().find("hunter2"), std::string::npos);
  EXPECT_EQ(metrics_.refusals("password"), 1u);
  EXPECT_EQ(publisher->pending_count(), 0u);
}

TEST_F(PublisherTest, RejectsBadPathsAndBoundsThePendingMap) {
  PublisherOptions options = Options();
  options.max_pending_paths = 2;
  auto publisher = Open(options);
  ASSERT_TRUE(publisher);
  for (const char* bad : {"", "/etc/passwd", "a/../b", ".git/config", "a//b", "a/./b"}) {
    EXPECT_EQ(publisher->Stage(bad, "x").code(), StatusCode::kInvalidArgument) << bad;
  }
  ASSERT_TRUE(publisher->Stage("a", "1").ok());
  ASSERT_TRUE(publisher->Stage("b", "1").ok());
  EXPECT_EQ(publisher->Stage("c", "1").code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(publisher->Stage("a", "2").ok()) << "replacing a staged path is always allowed";
}

TEST_F(PublisherTest, InvalidOptionsNameTheKey) {
  PublisherOptions options = Options();
  options.remote_url = "https://user:hunter2@example.com/repo.git";
  auto opened = Publisher::Open(options, log_, nullptr);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("remote"), std::string::npos);
  EXPECT_EQ(opened.status().message().find("hunter2"), std::string::npos);
  options = Options();
  options.branch = "bad..branch";
  EXPECT_NE(Publisher::Open(options, log_, nullptr).status().message().find("branch"), std::string::npos);
}

TEST_F(PublisherTest, BoundedHistoryKeepsAtMostNCommitsAndEveryFile) {
  PublisherOptions options = Options();
  options.history_limit = 5;
  auto publisher = Open(options);
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Stage("nodes/other/status.json", "{\"v\":\"other\"}").ok());
  for (int i = 0; i < 23; ++i) {
    ASSERT_TRUE(publisher->Stage("nodes/build1/status.json", "{\"v\":" + std::to_string(i) + "}").ok());
    auto flushed = publisher->Flush();
    ASSERT_TRUE(flushed.ok()) << flushed.status().ToString();
    int count = CommitCount(remote_, "status");
    EXPECT_GE(count, 1);
    EXPECT_LE(count, 5);
  }
  EXPECT_EQ(FileAtBranch(remote_, "status", "nodes/build1/status.json"), "{\"v\":22}");
  EXPECT_EQ(FileAtBranch(remote_, "status", "nodes/other/status.json"), "{\"v\":\"other\"}");
}

TEST_F(PublisherTest, StaleLockFilesInTheMirrorDoNotBlock) {
  {
    auto first = Open(Options());
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->Stage("a.json", "{\"v\":1}").ok());
    ASSERT_TRUE(first->Flush().ok());
  }
  // The seed's failure: a crashed writer left index.lock behind. No index is used, and a stale ref
  // lock (which would block) is removed by age.
  std::string index_lock = dir_.WriteFile("state/index.lock", "");
  std::string ref_lock = dir_.WriteFile("state/refs/buildfarm/outgoing.lock", "");
  struct timeval old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(utimes(ref_lock.c_str(), old_times), 0);
  ASSERT_EQ(utimes(index_lock.c_str(), old_times), 0);
  auto publisher = Open(Options());
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Stage("a.json", "{\"v\":2}").ok());
  auto flushed = publisher->Flush();
  ASSERT_TRUE(flushed.ok()) << flushed.status().ToString();
  EXPECT_EQ(FileAtBranch(remote_, "status", "a.json"), "{\"v\":2}");
  EXPECT_FALSE(std::filesystem::exists(ref_lock));
  EXPECT_EQ(publisher->stats().stale_locks_removed, 2u);
}

TEST_F(PublisherTest, UnreachableRemoteKeepsTheLatestState) {
  PublisherOptions options = Options();
  options.remote_url = "file://" + dir_.Join("not-there-yet.git");
  auto publisher = Open(options);
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Stage("a.json", "{\"v\":1}").ok());
  EXPECT_FALSE(publisher->Flush().ok());
  ASSERT_TRUE(publisher->Stage("a.json", "{\"v\":2}").ok());
  EXPECT_FALSE(publisher->Flush().ok());
  EXPECT_EQ(publisher->pending_count(), 1u);
  EXPECT_EQ(metrics_.pending(), 1);
  ASSERT_TRUE(buildfarm::testing::InitBareRepo(dir_.Join("not-there-yet.git")));
  auto flushed = publisher->Flush();
  ASSERT_TRUE(flushed.ok()) << flushed.status().ToString();
  EXPECT_EQ(FileAtBranch(dir_.Join("not-there-yet.git"), "status", "a.json"), "{\"v\":2}");
  EXPECT_EQ(CommitCount(dir_.Join("not-there-yet.git"), "status"), 1) << "the older state was never pushed";
}

// A pushes, B pushes on top, then A pushes again from the head it remembers (now stale). With
// bounded history that push is forced, so only the lease stops it from dropping B's file.
TEST_F(PublisherTest, TheLeaseKeepsAStalePublisherFromOverwritingAnother) {
  for (int limit : {0, 3}) {
    SCOPED_TRACE("history_limit=" + std::to_string(limit));
    std::string branch = "status" + std::to_string(limit);
    PublisherOptions a_options = Options();
    a_options.branch = branch;
    a_options.history_limit = limit;
    a_options.state_dir = dir_.Join("state-a-" + branch);
    PublisherOptions b_options = a_options;
    b_options.state_dir = dir_.Join("state-b-" + branch);
    auto a = Open(a_options);
    auto b = Open(b_options);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->Stage("nodes/a/status.json", "{\"v\":1}").ok());
    ASSERT_TRUE(a->Flush().ok());
    ASSERT_TRUE(b->Stage("nodes/b/status.json", "{\"v\":1}").ok());
    ASSERT_TRUE(b->Flush().ok());
    ASSERT_TRUE(a->Stage("nodes/a/status.json", "{\"v\":2}").ok());
    auto flushed = a->Flush();
    ASSERT_TRUE(flushed.ok()) << flushed.status().ToString();
    EXPECT_EQ(a->stats().rejections, 1u) << "the stale push is refused once, then rebuilt";
    EXPECT_EQ(FileAtBranch(remote_, branch, "nodes/a/status.json"), "{\"v\":2}");
    EXPECT_EQ(FileAtBranch(remote_, branch, "nodes/b/status.json"), "{\"v\":1}");
  }
}

TEST_F(PublisherTest, RecreatesAMirrorThatGrewPastItsLimit) {
  PublisherOptions options = Options();
  options.max_mirror_bytes = 1;  // every size check finds it too large
  auto publisher = Open(options);
  ASSERT_TRUE(publisher);
  for (int i = 1; i <= 101; ++i) {
    ASSERT_TRUE(publisher->Stage("a.json", "{\"v\":" + std::to_string(i) + "}").ok());
    auto flushed = publisher->Flush();
    ASSERT_TRUE(flushed.ok()) << i << ": " << flushed.status().ToString();
  }
  // The 100th flush dropped the mirror; the 101st fetched the branch again and built on it.
  EXPECT_EQ(FileAtBranch(remote_, "status", "a.json"), "{\"v\":101}");
  EXPECT_EQ(CommitCount(remote_, "status"), 101);
}

}  // namespace
}  // namespace buildfarm::git_publisher
