// TokenStore: create/list/revoke/expiry, the stored hash is never the secret, last_used is throttled.
#include "scheduler/store/token_store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.Join("scheduler.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto opened = TokenStore::Open(db_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  // The stored columns of the token named `name`: salt and hash.
  std::pair<std::string, std::string> SaltAndHash(const std::string& name) {
    auto lock = db_->Lock();
    auto stmt = db_->Prepare("SELECT salt, hash FROM api_tokens WHERE name = ?1");
    EXPECT_TRUE(stmt.ok());
    EXPECT_TRUE(stmt->Bind(1, name).Step());
    return {stmt->ColumnText(0), stmt->ColumnText(1)};
  }
  testing::TempDir dir_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<TokenStore> store_;
};

TEST_F(TokenStoreTest, CreatedTokenAuthenticatesAndIsListedWithoutItsSecret) {
  auto secret = store_->Create({"ci", "operator", "", std::nullopt}, 1000);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(secret->rfind("bft_", 0), 0u);
  auto who = store_->Authenticate(*secret, 1001);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->name, "ci");
  EXPECT_EQ(who->role, "operator");
  auto listed = store_->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "ci");
  EXPECT_DOUBLE_EQ((*listed)[0].created, 1000);
}

TEST_F(TokenStoreTest, StoredHashIsSaltedAndNeverTheSecret) {
  auto a = store_->Create({"a", "viewer", "", std::nullopt}, 1);
  auto b = store_->Create({"b", "viewer", "", std::nullopt}, 1);
  ASSERT_TRUE(a.ok() && b.ok());
  auto [salt_a, hash_a] = SaltAndHash("a");
  auto [salt_b, hash_b] = SaltAndHash("b");
  EXPECT_NE(hash_a, *a);
  EXPECT_EQ(hash_a.find(a->substr(20)), std::string::npos);
  EXPECT_NE(salt_a, salt_b);
  EXPECT_EQ(hash_a, TokenStore::SaltedHash(salt_a, *a));
  EXPECT_NE(hash_a, TokenStore::SaltedHash(salt_b, *a));  // the salt is part of it
}

TEST_F(TokenStoreTest, RefusesWithAReasonForTheLog) {
  auto secret = store_->Create({"short", "viewer", "", 2000.0}, 1000);
  ASSERT_TRUE(secret.ok());
  std::string wrong = *secret;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  struct Case {
    std::string presented;
    double now;
    std::string reason;
  };
  const Case cases[] = {
      {"not-a-token", 1500, "not a stored token"},
      {"bft_0000000000000000_" + std::string(64, 'a'), 1500, "unknown token id"},
      {wrong, 1500, "wrong secret"},
      {*secret, 2000, "token short expired"},
  };
  for (const Case& c : cases) {
    auto who = store_->Authenticate(c.presented, c.now);
    ASSERT_FALSE(who.ok()) << c.presented;
    EXPECT_EQ(who.status().code(), StatusCode::kUnauthenticated);
    EXPECT_NE(who.status().message().find(c.reason), std::string::npos) << who.status().message();
  }
  EXPECT_TRUE(store_->Authenticate(*secret, 1999).ok());
}

TEST_F(TokenStoreTest, RevokedTokenIsRefusedAndItsNameFreed) {
  auto secret = store_->Create({"build1", "agent", "build1", std::nullopt}, 1);
  ASSERT_TRUE(secret.ok());
  auto again = store_->Create({"build1", "agent", "build1", std::nullopt}, 2);
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  ASSERT_TRUE(store_->Revoke("build1", 3).ok());
  auto who = store_->Authenticate(*secret, 4);
  ASSERT_FALSE(who.ok());
  EXPECT_NE(who.status().message().find("revoked"), std::string::npos);
  EXPECT_EQ(store_->Revoke("build1", 5).code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->List()->empty());
  EXPECT_EQ(store_->List(/*include_revoked=*/true)->size(), 1u);
  EXPECT_TRUE(store_->Create({"build1", "agent", "build1", std::nullopt}, 6).ok());
}

TEST_F(TokenStoreTest, LastUsedIsWrittenAtMostOncePerMinute) {
  auto secret = store_->Create({"ci", "viewer", "", std::nullopt}, 0);
  ASSERT_TRUE(secret.ok());
  int writes = 0;
  {
    auto lock = db_->Lock();
    db_->SetPrepareObserver([&](std::string_view sql) {
      if (sql.find("UPDATE api_tokens SET last_used") != std::string_view::npos) ++writes;
    });
  }
  for (double now : {100.0, 110.0, 159.0, 160.0, 161.0}) ASSERT_TRUE(store_->Authenticate(*secret, now).ok());
  EXPECT_EQ(writes, 2);  // at 100 and at 160
  EXPECT_DOUBLE_EQ(*(*store_->List())[0].last_used, 160);
  auto lock = db_->Lock();
  db_->SetPrepareObserver({});
}

}  // namespace
}  // namespace buildfarm::scheduler
