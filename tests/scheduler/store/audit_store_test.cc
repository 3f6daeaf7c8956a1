// AuditStore: the hash chain links every row, and Verify() names exactly the row someone edited with
// the sqlite3 library, or the row after one they deleted.
#include "scheduler/store/audit_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "scheduler/store/digest.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

class AuditStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto opened = AuditStore::Open(db_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  std::string path() const { return dir_.Join("scheduler.db"); }
  void AppendSome(int count) {
    for (int i = 0; i < count; ++i) {
      AuditEvent event{"ops", "POST /api/v1/jobs", "j" + std::to_string(i), i % 2 ? "n1" : "", "201", "127.0.0.1", ""};
      ASSERT_TRUE(store_->Append(event, 100 + i).ok());
    }
  }
  // Another connection, as an attacker with the file would use.
  void ExecOutside(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &raw), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(raw);
  }
  testing::TempDir dir_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<AuditStore> store_;
};

TEST_F(AuditStoreTest, EachRowHashesItsFieldsAndThePreviousHash) {
  auto first = store_->Append({"ops", "POST /api/v1/tokens", "ci", "", "201", "10.0.0.1", ""}, 1.5);
  auto second = store_->Append({"scheduler", "failover", "n1", "n1", "ok", "", "reason=lease"}, 2);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->prev_hash, AuditStore::kGenesisHash);
  EXPECT_EQ(second->prev_hash, first->hash);
  // The documented canonical encoding, spelled out.
  EXPECT_EQ(AuditStore::ChainInput(*first), std::string(AuditStore::kGenesisHash) +
                                                "\n1:1\n4:1500\n3:ops\n19:POST /api/v1/tokens\n2:ci\n0:\n3:201\n8:10.0.0.1\n0:\n");
  EXPECT_EQ(first->hash, Sha256Hex(AuditStore::ChainInput(*first)));
  auto verified = store_->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->entries, 2);
  EXPECT_FALSE(verified->first_broken);
  EXPECT_EQ(verified->head_hash, second->hash);
}

TEST_F(AuditStoreTest, VerifyNamesTheEditedRow) {
  struct Case {
    std::string name;
    std::string sql;
    std::int64_t broken;
  };
  const Case cases[] = {
      {"changed result", "UPDATE audit SET result = '200' WHERE id = 7", 7},
      {"changed principal", "UPDATE audit SET principal = 'someone' WHERE id = 3", 3},
      {"deleted row", "DELETE FROM audit WHERE id = 5", 6},
      {"rehashed row", "UPDATE audit SET hash = 'ab' WHERE id = 4", 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExecOutside("DELETE FROM audit");
    AppendSome(10);
    ASSERT_FALSE(store_->Verify()->first_broken);
    ExecOutside(c.sql);
    auto verified = store_->Verify();
    ASSERT_TRUE(verified.ok());
    ASSERT_TRUE(verified->first_broken);
    EXPECT_EQ(*verified->first_broken, c.broken) << verified->problem;
  }
}

TEST_F(AuditStoreTest, ListsByNodeAndSinceWithABoundedLimit) {
  AppendSome(6);  // n1 on odd ones, at 100..105
  bool more = false;
  auto newest = store_->List({std::nullopt, "", 2}, &more);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_TRUE(more);
  EXPECT_EQ((*newest)[0].id, 5);
  EXPECT_EQ((*newest)[1].id, 6);
  auto node = store_->List({std::nullopt, "n1", 10}, &more);
  ASSERT_EQ(node->size(), 3u);
  EXPECT_FALSE(more);
  auto since = store_->List({103.0, "", 10});
  ASSERT_EQ(since->size(), 3u);
  EXPECT_EQ(since->front().id, 4);
}

}  // namespace
}  // namespace buildfarm::scheduler
