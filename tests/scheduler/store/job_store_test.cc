#include "scheduler/store/job_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

JobSpec Spec(std::string id, std::vector<std::string> deps = {}, int priority = 5) {
  JobSpec spec;
  spec.id = std::move(id);
  spec.command = "true";
  spec.dependencies = std::move(deps);
  spec.priority = priority;
  return spec;
}

class JobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = JobStore::Open(dir_.Join("jobs.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  JobState StateOf(const std::string& id) { return store_->Get(id)->state; }
  void RunToEnd(const std::string& id, const std::string& node, int exit_code) {
    auto assigned = store_->Assign(id, node, 10);
    ASSERT_TRUE(assigned.ok()) << assigned.status().ToString();
    ASSERT_TRUE(store_->StartAttempt(id, assigned->attempt, node, 11).ok());
    ASSERT_TRUE(store_->FinishAttempt(id, assigned->attempt, node, {exit_code, 1.0, ""}, 12).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
};

TEST_F(JobStoreTest, UnknownDependencyIsRejectedAndNothingIsStored) {
  auto result = store_->Submit({Spec("a"), Spec("b", {"nope"})}, 1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("nope"), std::string::npos);
  EXPECT_EQ(store_->Get("a").status().code(), StatusCode::kNotFound);
}

TEST_F(JobStoreTest, CycleIsRejectedNamingIt) {
  struct Case {
    std::vector<JobSpec> batch;
    std::string cycle;
  };
  for (const Case& c : std::vector<Case>{
           {{Spec("a", {"a"})}, "a -> a"},
           {{Spec("a", {"b"}), Spec("b", {"a"})}, "a -> b -> a"},
           {{Spec("x"), Spec("a", {"x", "c"}), Spec("b", {"a"}), Spec("c", {"b"})}, "a -> c -> b -> a"},
       }) {
    auto result = store_->Submit(c.batch, 1);
    ASSERT_FALSE(result.ok()) << c.cycle;
    EXPECT_NE(result.status().message().find("cycle " + c.cycle), std::string::npos) << result.status().message();
  }
}

TEST_F(JobStoreTest, DuplicateIdIsConflict) {
  ASSERT_TRUE(store_->Submit({Spec("a")}, 1).ok());
  EXPECT_EQ(store_->Submit({Spec("a")}, 2).status().code(), StatusCode::kConflict);
}

TEST_F(JobStoreTest, BlockedUntilEveryDependencyCompletes) {
  ASSERT_TRUE(store_->Submit({Spec("a"), Spec("b"), Spec("c", {"a", "b"})}, 1).ok());
  EXPECT_EQ(StateOf("c"), JobState::kBlocked);
  RunToEnd("a", "n1", 0);
  EXPECT_EQ(StateOf("c"), JobState::kBlocked);
  RunToEnd("b", "n2", 0);
  EXPECT_EQ(StateOf("c"), JobState::kQueued);
}

TEST_F(JobStoreTest, FailureCancelsDependentsTransitivelyNamingTheCause) {
  ASSERT_TRUE(store_->Submit({Spec("a"), Spec("b", {"a"}), Spec("c", {"b"})}, 1).ok());
  RunToEnd("a", "n1", 2);
  EXPECT_EQ(StateOf("a"), JobState::kFailed);
  auto b = store_->Get("b");
  EXPECT_EQ(b->state, JobState::kCancelled);
  EXPECT_EQ(b->error_message, "dependency a failed");
  auto c = store_->Get("c");
  EXPECT_EQ(c->state, JobState::kCancelled);
  EXPECT_EQ(c->error_message, "dependency b was cancelled");
}

TEST_F(JobStoreTest, SubmittingOnAFailedDependencyCancelsAtOnce) {
  ASSERT_TRUE(store_->Submit({Spec("a")}, 1).ok());
  RunToEnd("a", "n1", 1);
  auto late = store_->Submit({Spec("late", {"a"})}, 5);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->front().state, JobState::kCancelled);
  EXPECT_EQ(late->front().error_message, "dependency a failed");
}

TEST_F(JobStoreTest, QueueOrderIsPriorityThenAge) {
  ASSERT_TRUE(store_->Submit({Spec("low", {}, 1), Spec("urgent", {}, 10), Spec("mid1", {}, 5), Spec("mid2", {}, 5)}, 1).ok());
  auto order = store_->Schedulable(10);
  ASSERT_TRUE(order.ok());
  std::vector<std::string> ids;
  for (const auto& job : *order) ids.push_back(job.spec.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"urgent", "mid1", "mid2", "low"}));
}

TEST_F(JobStoreTest, SupersededAttemptIsFenced) {
  ASSERT_TRUE(store_->Submit({Spec("a")}, 1).ok());
  auto first = store_->Assign("a", "n1", 2);
  ASSERT_TRUE(store_->StartAttempt("a", first->attempt, "n1", 3).ok());
  auto moved = store_->RequeueNode("n1", "lease expired", "n2", 4);
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ(moved->front().retry_count, 1);
  EXPECT_EQ(moved->front().preferred_node, "n2");
  auto second = store_->Assign("a", "n2", 5);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->attempt, first->attempt + 1);
  // The old attempt reports late: refused, and nothing changes.
  auto late = store_->FinishAttempt("a", first->attempt, "n1", {0, 1, ""}, 6);
  EXPECT_EQ(late.status().code(), StatusCode::kConflict);
  EXPECT_EQ(store_->AppendLog("a", first->attempt, "stale").status().code(), StatusCode::kConflict);
  EXPECT_EQ(StateOf("a"), JobState::kAssigned);
  ASSERT_TRUE(store_->FinishAttempt("a", second->attempt, "n2", {0, 1, ""}, 7).ok());
  EXPECT_EQ(StateOf("a"), JobState::kCompleted);
  // A result is delivered once: a repeat is a conflict too.
  EXPECT_EQ(store_->FinishAttempt("a", second->attempt, "n2", {0, 1, ""}, 8).status().code(), StatusCode::kConflict);
}

TEST_F(JobStoreTest, RequeuePastMaxRetriesFails) {
  JobSpec spec = Spec("a");
  spec.max_retries = 1;
  ASSERT_TRUE(store_->Submit({spec}, 1).ok());
  ASSERT_TRUE(store_->Assign("a", "n1", 2).ok());
  ASSERT_TRUE(store_->RequeueNode("n1", "lease expired", "", 3).ok());
  EXPECT_EQ(StateOf("a"), JobState::kQueued);
  ASSERT_TRUE(store_->Assign("a", "n1", 4).ok());
  ASSERT_TRUE(store_->RequeueNode("n1", "lease expired", "", 5).ok());
  auto a = store_->Get("a");
  EXPECT_EQ(a->state, JobState::kFailed);
  EXPECT_NE(a->error_message.find("retries exhausted"), std::string::npos);
}

TEST_F(JobStoreTest, CancelAndRetry) {
  ASSERT_TRUE(store_->Submit({Spec("a"), Spec("b", {"a"})}, 1).ok());
  ASSERT_TRUE(store_->Cancel("a", 2).ok());
  EXPECT_EQ(StateOf("b"), JobState::kCancelled);
  EXPECT_EQ(store_->Cancel("a", 3).status().code(), StatusCode::kConflict);
  ASSERT_TRUE(store_->Retry("a", 4).ok());
  EXPECT_EQ(StateOf("a"), JobState::kQueued);
  EXPECT_EQ(store_->Retry("a", 5).status().code(), StatusCode::kConflict);
}

TEST_F(JobStoreTest, ListPaginatesAndFilters) {
  std::vector<JobSpec> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Spec("j" + std::to_string(i)));
  batch[1].branch = "release";
  ASSERT_TRUE(store_->Submit(batch, 1).ok());
  auto first = store_->List({}, 2, std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->jobs.size(), 2u);
  ASSERT_TRUE(first->next_cursor);
  auto second = store_->List({}, 10, first->next_cursor);
  EXPECT_EQ(second->jobs.size(), 3u);
  EXPECT_FALSE(second->next_cursor);
  JobFilter by_branch;
  by_branch.branch = "release";
  auto release = store_->List(by_branch, 10, std::nullopt);
  ASSERT_EQ(release->jobs.size(), 1u);
  EXPECT_EQ(release->jobs[0].spec.id, "j1");
}

TEST_F(JobStoreTest, LogsBelongToTheCurrentAttempt) {
  ASSERT_TRUE(store_->Submit({Spec("a")}, 1).ok());
  auto attempt = store_->Assign("a", "n1", 2)->attempt;
  ASSERT_TRUE(store_->AppendLog("a", attempt, "hello ").ok());
  ASSERT_TRUE(store_->AppendLog("a", attempt, "world\n").ok());
  EXPECT_EQ(store_->ReadLog("a", 0, 1 << 20)->data, "hello world\n");
  EXPECT_EQ(store_->ReadLog("a", 6, 1 << 20)->data, "world\n");
  EXPECT_EQ(store_->ReadLog("a", 100, 1 << 20)->data, "");
}

TEST(JobStoreDurability, AcknowledgedJobsSurviveKillDashNine) {
  testing::TempDir dir;
  std::string path = dir.Join("jobs.db");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = JobStore::Open(path);
    if (!store.ok()) _exit(3);
    for (int i = 0; i < 50; ++i) {
      if (!(*store)->Submit({Spec("k" + std::to_string(i))}, i).ok()) _exit(4);
    }
    (void)(*store)->Assign("k0", "n1", 60);
    raise(SIGKILL);  // no destructors, no checkpoint
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  auto reopened = JobStore::Open(path);
  ASSERT_TRUE(reopened.ok());
  auto counts = (*reopened)->CountByState();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[JobState::kQueued], 49);
  EXPECT_EQ((*counts)[JobState::kAssigned], 1);
  EXPECT_EQ((*reopened)->Get("k0")->node, "n1");
}

}  // namespace
}  // namespace buildfarm::scheduler
