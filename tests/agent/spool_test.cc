#include "agent/spool.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace buildfarm::agent {
namespace {

using buildfarm::testing::TempDir;

TEST(ResultSpool, MissingFileIsEmpty) {
  TempDir dir;
  auto spool = ResultSpool::Open(dir.Join("spool.json"));
  ASSERT_TRUE(spool.ok()) << spool.status().ToString();
  EXPECT_TRUE((*spool)->List().empty());
}

TEST(ResultSpool, ResultsSurviveReopenUntilRemoved) {
  TempDir dir;
  std::string path = dir.Join("spool.json");
  {
    auto spool = ResultSpool::Open(path);
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Add({"job-1", 1, 0, 1.25, ""}).ok());
    ASSERT_TRUE((*spool)->Add({"job-2", 3, 143, 60, "timed out after 60s"}).ok());
    ASSERT_TRUE((*spool)->Add({"job-1", 1, 0, 1.25, ""}).ok());  // the same attempt is kept once
  }
  {
    auto spool = ResultSpool::Open(path);
    ASSERT_TRUE(spool.ok());
    auto results = (*spool)->List();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].job_id, "job-1");
    EXPECT_DOUBLE_EQ(results[0].duration_seconds, 1.25);
    EXPECT_EQ(results[1].attempt, 3);
    EXPECT_EQ(results[1].exit_code, 143);
    EXPECT_EQ(results[1].error, "timed out after 60s");
    EXPECT_TRUE((*spool)->Contains("job-2", 3));
    EXPECT_FALSE((*spool)->Contains("job-2", 2));
    ASSERT_TRUE((*spool)->Remove("job-1", 1).ok());
    ASSERT_TRUE((*spool)->Remove("job-1", 1).ok());  // removing twice is harmless
  }
  auto spool = ResultSpool::Open(path);
  ASSERT_TRUE(spool.ok());
  ASSERT_EQ((*spool)->List().size(), 1u);
  EXPECT_EQ((*spool)->List()[0].job_id, "job-2");
}

TEST(ResultSpool, GarbledFileIsAnErrorNamingIt) {
  TempDir dir;
  for (const char* text : {"{", "[]", R"({"results": [{"job_id": 3}]})", "\x01\x02"}) {
    std::string path = dir.WriteFile("spool.json", text);
    auto spool = ResultSpool::Open(path);
    ASSERT_FALSE(spool.ok()) << text;
    EXPECT_NE(spool.status().message().find(path), std::string::npos) << spool.status().message();
  }
}

TEST(ResultSpool, JsonRoundTrip) {
  std::vector<PendingResult> results{{"a/b \"quoted\"", 2, -1, 0.5, "cannot start: x"}};
  auto parsed = SpoolFromJson(SpoolToJson(results), "test");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].job_id, "a/b \"quoted\"");
  EXPECT_EQ((*parsed)[0].exit_code, -1);
  EXPECT_EQ((*parsed)[0].error, "cannot start: x");
}

}  // namespace
}  // namespace buildfarm::agent
