#include "scheduler/framework/plugin_args.h"

#include <gtest/gtest.h>

#include "tests/scheduler/builders.h"

namespace buildfarm::scheduler {
namespace {

using testing::Args;

TEST(PluginArgs, AbsentKeysKeepDefaults) {
  PluginArgs args;
  double d = 7;
  std::int64_t i = 3;
  std::string s = "keep";
  EXPECT_TRUE(args.ReadDouble("x", 0, 10, &d).ok());
  EXPECT_TRUE(args.ReadInt("x", 0, 10, &i).ok());
  EXPECT_TRUE(args.ReadDurationSeconds("x", &d).ok());
  EXPECT_TRUE(args.ReadBytes("x", &i).ok());
  EXPECT_TRUE(args.ReadString("x", &s).ok());
  EXPECT_EQ(d, 7);
  EXPECT_EQ(i, 3);
  EXPECT_EQ(s, "keep");
}

TEST(PluginArgs, Durations) {
  struct Row {
    const char* text;
    double want;  // < 0: error
  };
  for (const Row& row : std::vector<Row>{{"60s", 60}, {"250ms", 0.25}, {"2m", 120}, {"15", 15}, {"1.5", 1.5},
                                         {"0", -1}, {"-3s", -1}, {"abc", -1}, {"", -1}, {"nan", -1}}) {
    SCOPED_TRACE(row.text);
    double out = 0;
    Status status = Args({{"d", row.text}}).ReadDurationSeconds("d", &out);
    if (row.want < 0) {
      EXPECT_FALSE(status.ok());
    } else {
      ASSERT_TRUE(status.ok()) << status.ToString();
      EXPECT_DOUBLE_EQ(out, row.want);
    }
  }
}

TEST(PluginArgs, Bytes) {
  struct Row {
    const char* text;
    std::int64_t want;  // < 0: error
  };
  for (const Row& row : std::vector<Row>{{"1024", 1024}, {"1Ki", 1024}, {"2Mi", 2 << 20}, {"3Gi", 3LL << 30},
                                         {"1G", 1000000000}, {"5k", 5000}, {"-1", -1}, {"Gi", -1}, {"1Zi", -1},
                                         {"1e30", -1}}) {
    SCOPED_TRACE(row.text);
    std::int64_t out = 0;
    Status status = Args({{"b", row.text}}).ReadBytes("b", &out);
    if (row.want < 0) {
      EXPECT_FALSE(status.ok());
    } else {
      ASSERT_TRUE(status.ok()) << status.ToString();
      EXPECT_EQ(out, row.want);
    }
  }
}

TEST(PluginArgs, ErrorsNameTheArgumentAndTheValue) {
  double d = 0;
  Status status = Args({{"maxCelsius", "hot"}}).ReadDouble("maxCelsius", 0, 100, &d);
  EXPECT_EQ(status.message(), "argument maxCelsius: want a number, got \"hot\"");
  status = Args({{"typo", "1"}}).CheckNoUnknown({"a", "b"});
  EXPECT_EQ(status.message(), "argument typo: unknown argument (known: a, b)");
}

}  // namespace
}  // namespace buildfarm::scheduler
