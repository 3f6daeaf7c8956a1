// CoordinationPublisher against a bare repository on disk (file://), with an injected clock: the three
// coordination files, archive days (including after a restart), a document that breaks its schema
// is counted as invalid and not published, and a job holding a likely secret is redacted (or left
// out) while the rest of jobs.json is published.
#include "scheduler/server/coordination_publisher.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/git_repo.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

constexpr double kNow = 1795780800;  // 2026-11-27T12:00:00Z

class CoordinationPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::InitBareRepo(dir_.Join("farm.git")));
    const std::string db = dir_.Join("s.db");
    jobs_ = std::move(JobStore::Open(db)).value();
    nodes_ = std::move(NodeStore::Open(db, kNow)).value();
    messages_ = std::move(MessageStore::Open(db)).value();
    settings_.enabled = true;
    settings_.remote = "file://" + dir_.Join("farm.git");
    settings_.state_dir = dir_.Join("mirror");
  }
  std::unique_ptr<CoordinationPublisher> Publisher() {
    auto publisher = CoordinationPublisher::Create(settings_, *jobs_, *nodes_, *messages_, metrics_, log_,
                                                   [this] { return now_; });
    EXPECT_TRUE(publisher.ok()) << publisher.status().ToString();
    return publisher.ok() ? std::move(publisher).value() : nullptr;
  }
  std::optional<json> Published(const std::string& path) {
    auto text = testing::FileAtBranch(dir_.Join("farm.git"), "main", path);
    if (!text) return std::nullopt;
    return json::parse(*text);
  }
  std::string SendRead(const std::string& subject) {
    MessageDraft draft;
    draft.from = "b1";
    draft.to = "b2";
    draft.subject = subject;
    auto sent = messages_->Send(draft, now_ - 40 * 86400.0);
    EXPECT_TRUE(sent.ok());
    EXPECT_TRUE(messages_->MarkRead(sent->message.id, "b2", now_ - 39 * 86400.0).ok());
    return sent->message.id;
  }

  testing::TempDir dir_;
  Logger log_{LogLevel::kError};
  double now_ = kNow;
  git_publisher::PublishSettings settings_;
  git_publisher::PublishMetrics metrics_;
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<NodeStore> nodes_;
  std::unique_ptr<MessageStore> messages_;
};

TEST_F(CoordinationPublisherTest, PublishesJobsMessagesNodesAndArchiveDays) {
  for (const char* name : {"b2", "b1"}) {
    NodeRecord node;
    node.name = name;
    ASSERT_TRUE(nodes_->Register(node, kNow).ok());
  }
  JobSpec spec;
  spec.id = "j1";
  spec.command = "make";
  ASSERT_TRUE(jobs_->Submit({spec}, kNow).ok());
  const std::string kept = SendRead("kept");
  auto publisher = Publisher();
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->PublishOnce().ok());
  EXPECT_EQ(Published("nodes/index.json"), json({"b1", "b2"}));
  EXPECT_EQ(Published("coordination/jobs.json")->at(0).value("id", ""), "j1");
  EXPECT_EQ(Published("coordination/messages.json")->at(0).value("id", ""), kept);
  EXPECT_FALSE(Published("coordination/archive/2026-11-27.json").has_value());  // nothing archived: no file

  // Two archives on the same day append to that day's file; the next day gets its own.
  auto first = messages_->Archive(30, now_);
  ASSERT_TRUE(first.ok());
  publisher->NoteArchived(*first);
  ASSERT_TRUE(publisher->PublishOnce().ok());
  EXPECT_EQ(Published("coordination/archive/2026-11-27.json")->size(), 1u);
  EXPECT_TRUE(Published("coordination/messages.json")->empty());
  now_ += 3600;
  const std::string second_id = SendRead("second");
  auto second = messages_->Archive(30, now_);
  ASSERT_TRUE(second.ok());
  publisher->NoteArchived(*second);
  ASSERT_TRUE(publisher->PublishOnce().ok());
  auto day = Published("coordination/archive/2026-11-27.json");
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ(day->at(0).value("id", ""), kept);
  EXPECT_EQ(day->at(1).value("id", ""), second_id);
  EXPECT_EQ(metrics_.attempts("invalid"), 0u);
}

TEST_F(CoordinationPublisherTest, ArchiveMadeBeforeARestartIsPublishedAfterIt) {
  const std::string id = SendRead("before restart");
  ASSERT_TRUE(messages_->Archive(30, now_).ok());  // archived, never noted to a publisher
  now_ += 86400;                                     // the restart is the next day
  auto publisher = Publisher();
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->PublishOnce().ok());
  auto day = Published("coordination/archive/2026-11-27.json");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->at(0).value("id", ""), id);
}

TEST_F(CoordinationPublisherTest, DocumentBreakingItsSchemaIsCountedAndNotPublished) {
  MessageDraft draft;
  draft.from = "Not A Node!";  // the API refuses this (a DNS label); the store alone does not
  draft.to = "all";
  draft.subject = "s";
  ASSERT_TRUE(messages_->Send(draft, kNow).ok());
  auto publisher = Publisher();
  ASSERT_TRUE(publisher);
  Status published = publisher->PublishOnce();
  EXPECT_FALSE(published.ok());
  EXPECT_NE(published.message().find("coordination/messages.json"), std::string::npos) << published.ToString();
  EXPECT_NE(published.message().find("0/from"), std::string::npos) << published.ToString();
  EXPECT_EQ(metrics_.attempts("invalid"), 1u);
  EXPECT_FALSE(Published("coordination/messages.json").has_value());
  EXPECT_TRUE(Published("coordination/jobs.json").has_value());  // the others still go out
}

// Issue 11 item 5: one refused job used to hold back every later publish of jobs.json.
TEST_F(CoordinationPublisherTest, JobHoldingASecretIsRedactedAndTheRestPublished) {
  // Built from pieces so that this file itself does not look like it holds a credential; stored
  // directly, as jobs submitted before the API checked commands were.
  const std::string password = "hunter2" + std::string("x");
  const std::string github = "ghp_" + std::string("aB3daB3daB3daB3daB3daB3daB3daB3daB3d");
  JobSpec clean;
  clean.id = "j1";
  clean.command = "make";
  JobSpec with_password = clean;
  with_password.id = "j2";
  with_password.command = "PGPASSWORD=" + password + " psql -h db";
  JobSpec secret_id = clean;
  secret_id.id = github;
  JobSpec after = clean;
  after.id = "j4";
  ASSERT_TRUE(jobs_->Submit({clean, with_password, secret_id, after}, kNow).ok());
  const std::string kept = SendRead("still published");
  auto publisher = Publisher();
  ASSERT_TRUE(publisher);

  for (int round = 0; round < 2; ++round) {
    Status published = publisher->PublishOnce();
    ASSERT_TRUE(published.ok()) << published.ToString();
    auto jobs = Published("coordination/jobs.json");
    ASSERT_TRUE(jobs.has_value());
    ASSERT_EQ(jobs->size(), 3u) << jobs->dump();  // the job whose id is the secret is left out
    EXPECT_EQ(jobs->at(0).value("id", ""), "j1");
    EXPECT_EQ(jobs->at(0).value("command", ""), "make");
    EXPECT_EQ(jobs->at(1).value("id", ""), "j2");
    EXPECT_EQ(jobs->at(1).value("command", ""), "[redacted: password]");
    EXPECT_EQ(jobs->at(2).value("id", ""), "j4");
    EXPECT_EQ(jobs->dump().find(password), std::string::npos);
    EXPECT_EQ(jobs->dump().find(github), std::string::npos);
    EXPECT_EQ(Published("coordination/messages.json")->at(0).value("id", ""), kept);
    // Counted when first redacted, not again on every round.
    EXPECT_EQ(metrics_.refusals("password"), 1u) << "round " << round;
    EXPECT_EQ(metrics_.refusals("github_token"), 1u) << "round " << round;
  }
  EXPECT_EQ(metrics_.attempts("invalid"), 0u);

  // A new job is published beside the redacted one.
  JobSpec later = clean;
  later.id = "j5";
  ASSERT_TRUE(jobs_->Submit({later}, kNow).ok());
  ASSERT_TRUE(publisher->PublishOnce().ok());
  EXPECT_EQ(Published("coordination/jobs.json")->back().value("id", ""), "j5");
}

}  // namespace
}  // namespace buildfarm::scheduler
