#include "common/text.h"

#include <gtest/gtest.h>

namespace buildfarm::text {
namespace {

TEST(Text, FieldsSkipRunsOfBlanks) {
  auto f = Fields("  cpu0  1\t2   3 ");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], "cpu0");
  EXPECT_EQ(f[3], "3");
}

TEST(Text, NumbersMustBeWhole) {
  EXPECT_EQ(ParseUint64("18446744073709551615"), 18446744073709551615ull);
  EXPECT_FALSE(ParseUint64("18446744073709551616"));
  EXPECT_FALSE(ParseUint64("12a"));
  EXPECT_FALSE(ParseUint64("-1"));
  EXPECT_EQ(ParseInt64("-42"), -42);
  EXPECT_DOUBLE_EQ(*ParseDouble("0.25"), 0.25);
  EXPECT_FALSE(ParseDouble(""));
}

TEST(Text, Durations) {
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("5s"), 5);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("2m"), 120);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("1h"), 3600);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("30d"), 30 * 86400);
  EXPECT_FALSE(ParseDurationSeconds("5"));
  EXPECT_FALSE(ParseDurationSeconds("-5s"));
  EXPECT_FALSE(ParseDurationSeconds("xs"));
}

}  // namespace
}  // namespace buildfarm::text
