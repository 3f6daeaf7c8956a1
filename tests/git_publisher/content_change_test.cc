#include "common/git_publisher/content_change.h"

#include <gtest/gtest.h>

namespace buildfarm::git_publisher {
namespace {

TEST(ContentChanged, IdenticalBytesAreNoChange) {
  EXPECT_FALSE(ContentChanged("abc", "abc", false));
  EXPECT_FALSE(ContentChanged("abc", "abc", true));
}

TEST(ContentChanged, TimestampOnlyChangeIsNoChange) {
  EXPECT_FALSE(ContentChanged(R"({"status":"online","timestamp":"2026-11-27T00:00:00Z"})",
                              R"({"status":"online","timestamp":"2026-11-27T00:01:00Z"})", false));
}

TEST(ContentChanged, NestedTimestampKeysAreIgnored) {
  EXPECT_FALSE(ContentChanged(R"({"a":{"last_updated":1,"b":[{"generated_at":"x","v":1}]}})",
                              R"({"a":{"last_updated":2,"b":[{"generated_at":"y","v":1}]}})", false));
}

TEST(ContentChanged, KeyOrderAndWhitespaceAreNoChange) {
  EXPECT_FALSE(ContentChanged(R"({"a":1,"b":2})", "{ \"b\": 2,\n  \"a\": 1 }", false));
}

TEST(ContentChanged, AValueBesideTheTimestampIsAChange) {
  EXPECT_TRUE(ContentChanged(R"({"status":"online","timestamp":"t1"})", R"({"status":"offline","timestamp":"t2"})",
                             false));
}

TEST(ContentChanged, HeartbeatFilesCountTimestamps) {
  EXPECT_TRUE(ContentChanged(R"({"timestamp":"t1"})", R"({"timestamp":"t2"})", true));
}

TEST(ContentChanged, TextThatIsNotJsonIsComparedByBytes) {
  EXPECT_TRUE(ContentChanged("timestamp: 1\n", "timestamp: 2\n", false));
  EXPECT_TRUE(ContentChanged("{broken", "{broken ", false));
}

}  // namespace
}  // namespace buildfarm::git_publisher
