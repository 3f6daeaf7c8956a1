// FailoverStore: failover records, alert idempotency keys across a reopen, alert cordons.
#include "scheduler/store/failover_store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

class FailoverStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto opened = FailoverStore::Open(dir_.Join("scheduler.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  testing::TempDir dir_;
  std::unique_ptr<FailoverStore> store_;
};

TEST_F(FailoverStoreTest, RecordsAreListedNewestFirstWithTheirJobs) {
  ASSERT_TRUE(store_->Record({0, 100, "lease", "n1", "pool", {}}).ok());
  auto second = store_->Record({0, 200, "BuildNodeDown", "n2", "n3", {"j1", "j2"}});
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->id, 0);
  Reopen();
  auto all = store_->List(10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].reason, "BuildNodeDown");
  EXPECT_EQ((*all)[0].source, "n2");
  EXPECT_EQ((*all)[0].target, "n3");
  EXPECT_EQ((*all)[0].jobs, (std::vector<std::string>{"j1", "j2"}));
  EXPECT_DOUBLE_EQ((*all)[0].at, 200);
  EXPECT_EQ((*all)[1].reason, "lease");
  EXPECT_TRUE((*all)[1].jobs.empty());
  EXPECT_EQ(store_->List(1)->size(), 1u);
}

TEST_F(FailoverStoreTest, AlertKeysAreSeenOnceEvenAfterAReopen) {
  EXPECT_TRUE(*store_->MarkAlertSeen("fp1", "2026-11-27T03:10:00Z", true, 10));
  EXPECT_FALSE(*store_->MarkAlertSeen("fp1", "2026-11-27T03:10:00Z", true, 11)) << "a retry";
  EXPECT_TRUE(*store_->MarkAlertSeen("fp1", "2026-11-27T03:10:00Z", false, 12)) << "its resolution is new";
  EXPECT_TRUE(*store_->MarkAlertSeen("fp1", "2026-11-27T03:20:00Z", true, 13)) << "a new firing";
  Reopen();
  EXPECT_FALSE(*store_->MarkAlertSeen("fp1", "2026-11-27T03:10:00Z", true, 14)) << "after a restart";
  EXPECT_FALSE(*store_->MarkAlertSeen("fp1", "2026-11-27T03:10:00Z", false, 14));
}

TEST_F(FailoverStoreTest, SeenKeysAreBoundedOldestFirst) {
  for (int i = 0; i < FailoverStore::kMaxSeenAlerts + 5; ++i) {
    ASSERT_TRUE(*store_->MarkAlertSeen("fp" + std::to_string(i), "t", true, i));
  }
  ASSERT_TRUE(store_->PruneSeenAlerts().ok());
  EXPECT_TRUE(*store_->MarkAlertSeen("fp0", "t", true, 1e9)) << "the oldest key was pruned";
  EXPECT_FALSE(*store_->MarkAlertSeen("fp" + std::to_string(FailoverStore::kMaxSeenAlerts + 4), "t", true, 1e9));
}

TEST_F(FailoverStoreTest, AlertCordonsResolveAndAreForgotten) {
  ASSERT_TRUE(store_->AddAlertCordon({"n2", "fp1", "BuildNodeDown", 10, std::nullopt}).ok());
  ASSERT_TRUE(store_->AddAlertCordon({"n2", "fp2", "BuildNodeTooHot", 11, std::nullopt}).ok());
  EXPECT_TRUE(*store_->ResolveAlertCordon("n2", "fp1", 20));
  EXPECT_FALSE(*store_->ResolveAlertCordon("n3", "fp1", 20)) << "no such cordon";
  auto cordons = store_->AlertCordons();
  ASSERT_TRUE(cordons.ok());
  ASSERT_EQ(cordons->size(), 2u);
  EXPECT_EQ((*cordons)[0].resolved_at, 20.0);
  EXPECT_FALSE((*cordons)[1].resolved_at.has_value());
  // Firing again clears the resolution.
  ASSERT_TRUE(store_->AddAlertCordon({"n2", "fp1", "BuildNodeDown", 30, std::nullopt}).ok());
  EXPECT_FALSE(store_->AlertCordons()->front().resolved_at.has_value());
  ASSERT_TRUE(store_->ForgetAlertState("n2").ok());
  EXPECT_TRUE(store_->AlertCordons()->empty());
}

TEST_F(FailoverStoreTest, AlertsMergeIntoTheOpenFailoverUntilTheStateIsForgotten) {
  EXPECT_EQ(*store_->MergeIntoOpenFailover("n2"), std::nullopt) << "no open failover";
  auto first = store_->Record({0, 100, "BuildNodeDown", "n2", "pool", {"j1"}});
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(store_->OpenFailover("n2", first->id).ok());
  ASSERT_TRUE(store_->Record({0, 101, "lease", "n3", "pool", {}}).ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(*store_->MergeIntoOpenFailover("n2"), first->id);
  EXPECT_EQ(*store_->MergeIntoOpenFailover("n3"), std::nullopt) << "n3's lease failover did not cordon it";
  Reopen();
  auto all = store_->List(10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[1].merged_alerts, 3);
  EXPECT_EQ((*all)[0].merged_alerts, 0);
  ASSERT_TRUE(store_->ForgetAlertState("n2").ok());
  EXPECT_EQ(*store_->MergeIntoOpenFailover("n2"), std::nullopt);
}

TEST_F(FailoverStoreTest, AStoreFromBeforeMergesGainsTheColumn) {
  store_.reset();
  const std::string path = dir_.Join("old.db");
  {
    auto db = std::move(Database::Open(path)).value();
    auto lock = db->Lock();
    ASSERT_TRUE(db->Exec("CREATE TABLE failovers (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, "
                         "reason TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, jobs TEXT NOT NULL); "
                         "INSERT INTO failovers (at, reason, source, target, jobs) VALUES (5, 'manual', 'n1', 'n2', '[]')")
                    .ok());
  }
  auto opened = FailoverStore::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto all = (*opened)->List(10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].merged_alerts, 0);
  EXPECT_TRUE(FailoverStore::Open(path).ok()) << "opening again leaves the column be";
}

}  // namespace
}  // namespace buildfarm::scheduler
