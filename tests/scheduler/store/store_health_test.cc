// Database's store health, for a /readyz that writes nothing: ProbeRead commits nothing another
// connection could see; an error that says the file is in trouble (here: full) is remembered until a
// transaction that wrote rows commits, while a statement's own error (a constraint) is not the file's.
#include <gtest/gtest.h>

#include "scheduler/store/sqlite.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

class StoreHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(Database::Open(dir_.Join("s.db"))).value();
    auto lock = db_->Lock();
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)").ok());
  }
  std::int64_t Int(Database& db, const std::string& sql) {
    auto lock = db.Lock();
    auto stmt = db.Prepare(sql);
    EXPECT_TRUE(stmt.ok() && stmt->Step()) << sql;
    return stmt.ok() ? stmt->ColumnInt(0) : -1;
  }
  Status Insert(const std::string& values) {
    return db_->RunInTransaction([&]() -> Status {
      return db_->Exec("INSERT INTO t (id, data) VALUES " + values);
    });
  }
  testing::TempDir dir_;
  std::shared_ptr<Database> db_;
};

TEST_F(StoreHealthTest, ProbeReadCommitsNothing) {
  auto watcher = std::move(Database::Open(dir_.Join("s.db"))).value();
  const std::int64_t before = Int(*watcher, "PRAGMA data_version");
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(db_->ProbeRead().ok());
  EXPECT_EQ(Int(*watcher, "PRAGMA data_version"), before);
  ASSERT_TRUE(Insert("(1, x'00')").ok());
  EXPECT_NE(Int(*watcher, "PRAGMA data_version"), before) << "the watcher sees a write";
}

TEST_F(StoreHealthTest, AFullFileIsRememberedUntilRowsCommit) {
  EXPECT_TRUE(db_->LastHealthError().ok());
  {
    auto lock = db_->Lock();
    ASSERT_TRUE(db_->Exec("PRAGMA max_page_count = " + std::to_string(Int(*db_, "PRAGMA page_count"))).ok());
  }
  EXPECT_FALSE(Insert("(1, zeroblob(100000))").ok());
  Status health = db_->LastHealthError();
  EXPECT_NE(health.message().find("full"), std::string::npos) << health.ToString();
  EXPECT_TRUE(db_->ProbeRead().ok()) << "reads still work";
  ASSERT_TRUE(db_->RunInTransaction([] { return Status::Ok(); }).ok());
  EXPECT_FALSE(db_->LastHealthError().ok()) << "a transaction that wrote nothing proves nothing";
  {
    auto lock = db_->Lock();
    ASSERT_TRUE(db_->Exec("PRAGMA max_page_count = 1000000").ok());
  }
  ASSERT_TRUE(Insert("(1, zeroblob(100000))").ok());
  EXPECT_TRUE(db_->LastHealthError().ok());
}

TEST_F(StoreHealthTest, AStatementsOwnErrorIsNotTheFiles) {
  ASSERT_TRUE(Insert("(1, x'00')").ok());
  EXPECT_FALSE(Insert("(1, x'00')").ok()) << "duplicate key";
  EXPECT_FALSE(db_->RunInTransaction([&] { return db_->Exec("SELECT nope FROM t"); }).ok());
  EXPECT_TRUE(db_->LastHealthError().ok());
}

}  // namespace
}  // namespace buildfarm::scheduler
