// One Database shared by the stores: a change spanning stores commits or rolls back as a whole,
// nested store calls join the caller's transaction (a failing one undoes only its own part), and
// NodeStore's in-memory table follows a rollback.
#include <gtest/gtest.h>

#include "scheduler/store/failover_store.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/node_store.h"
#include "scheduler/store/sqlite.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

constexpr double kNow = 1'700'000'000;

class SharedDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    jobs_.reset();
    nodes_.reset();
    failovers_.reset();
    auto db = Database::Open(dir_.Join("scheduler.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    jobs_ = std::move(JobStore::Open(db_)).value();
    nodes_ = std::move(NodeStore::Open(db_, kNow)).value();
    failovers_ = std::move(FailoverStore::Open(db_)).value();
  }
  // n1 registered, one job assigned to it.
  void Seed() {
    NodeRecord node;
    node.name = "n1";
    ASSERT_TRUE(nodes_->Register(node, kNow).ok());
    JobSpec spec;
    spec.id = "j1";
    spec.command = "true";
    spec.max_retries = 3;
    ASSERT_TRUE(jobs_->Submit({spec}, kNow).ok());
    ASSERT_TRUE(jobs_->Assign("j1", "n1", kNow).ok());
  }
  // Cordon, requeue and record, as a failover does; `fail` makes the last step fail.
  Status FailOver(bool fail) {
    return db_->RunInTransaction([&]() -> Status {
      BUILDFARM_RETURN_IF_ERROR(nodes_->SetCordoned("n1", true));
      BUILDFARM_RETURN_IF_ERROR(jobs_->RequeueNode("n1", "test", "n2", kNow).status());
      if (fail) return Internal("crash before the record");
      return failovers_->Record({0, kNow, "manual", "n1", "n2", {"j1"}}).status();
    });
  }

  testing::TempDir dir_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<NodeStore> nodes_;
  std::unique_ptr<FailoverStore> failovers_;
};

TEST_F(SharedDatabaseTest, AFailoverThatFailsMidwayLeavesEveryStoreUntouched) {
  Seed();
  Status failed = FailOver(/*fail=*/true);
  EXPECT_EQ(failed.message(), "crash before the record");
  EXPECT_FALSE(nodes_->Get("n1")->cordoned) << "the in-memory cordon must follow the rollback";
  EXPECT_EQ(jobs_->Get("j1")->state, JobState::kAssigned);
  EXPECT_EQ(jobs_->Get("j1")->retry_count, 0);
  EXPECT_TRUE(failovers_->List(10)->empty());
  Open();  // and on disk
  EXPECT_FALSE(nodes_->Get("n1")->cordoned);
  EXPECT_EQ(jobs_->Get("j1")->state, JobState::kAssigned);
}

TEST_F(SharedDatabaseTest, AFailoverThatSucceedsCommitsEveryStore) {
  Seed();
  ASSERT_TRUE(FailOver(/*fail=*/false).ok());
  Open();
  EXPECT_TRUE(nodes_->Get("n1")->cordoned);
  EXPECT_EQ(jobs_->Get("j1")->state, JobState::kQueued);
  EXPECT_EQ(jobs_->Get("j1")->retry_count, 1);
  ASSERT_EQ(failovers_->List(10)->size(), 1u);
}

TEST_F(SharedDatabaseTest, AFailingNestedStoreCallUndoesOnlyItsOwnPart) {
  Seed();
  Status outer = db_->RunInTransaction([&]() -> Status {
    BUILDFARM_RETURN_IF_ERROR(nodes_->SetDraining("n1", true));
    // Cancel of a job that is not there fails inside its own savepoint; the caller goes on.
    EXPECT_FALSE(jobs_->Cancel("missing", kNow).ok());
    // A submit whose batch is refused (duplicate ids) rolls back its first insert only.
    JobSpec spec;
    spec.id = "twice";
    spec.command = "true";
    EXPECT_FALSE(jobs_->Submit({spec, spec}, kNow).ok());
    return Status::Ok();
  });
  ASSERT_TRUE(outer.ok()) << outer.ToString();
  Open();
  EXPECT_TRUE(nodes_->Get("n1")->draining);
  EXPECT_EQ(jobs_->Get("twice").status().code(), StatusCode::kNotFound);
}

TEST_F(SharedDatabaseTest, ALeaseExpiryRolledBackLeavesTheNodeUp) {
  Seed();
  Status failed = db_->RunInTransaction([&]() -> Status {
    EXPECT_TRUE(nodes_->MarkDown("n1", kNow + 10));
    return Internal("requeue failed");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(nodes_->Get("n1")->down) << "the next lease check must try again";
}

}  // namespace
}  // namespace buildfarm::scheduler
