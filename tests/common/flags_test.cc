#include "common/flags.h"

#include <gtest/gtest.h>

namespace buildfarm {
namespace {

struct Parsed {
  Status status;
  std::string name = "default";
  std::vector<std::string> list{"a"};
  bool enabled = true;
  std::int64_t count = 5;
  double timeout = 5;
};

Parsed ParseArgs(std::vector<const char*> args) {
  Parsed p;
  FlagSet flags("prog", "test");
  flags.AddString("name", &p.name, "");
  flags.AddStringList("list", &p.list, "");
  flags.AddBool("collector.cpu", &p.enabled, "");
  flags.AddInt("count", &p.count, 0, 10, "");
  flags.AddDuration("timeout", &p.timeout, "");
  args.insert(args.begin(), "prog");
  p.status = flags.Parse(static_cast<int>(args.size()), args.data());
  return p;
}

TEST(FlagSet, AcceptsBothValueForms) {
  auto p = ParseArgs({"--name=x", "--count", "7", "--timeout=250ms"});
  ASSERT_TRUE(p.status.ok()) << p.status.ToString();
  EXPECT_EQ(p.name, "x");
  EXPECT_EQ(p.count, 7);
  EXPECT_DOUBLE_EQ(p.timeout, 0.25);
}

TEST(FlagSet, RepeatableFlagReplacesDefaultThenAppends) {
  auto p = ParseArgs({"--list", "b", "--list=c"});
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.list, (std::vector<std::string>{"b", "c"}));
}

TEST(FlagSet, BooleansAndNegation) {
  EXPECT_FALSE(ParseArgs({"--no-collector.cpu"}).enabled);
  EXPECT_TRUE(ParseArgs({"--no-collector.cpu", "--collector.cpu"}).enabled);
  EXPECT_FALSE(ParseArgs({"--collector.cpu=false"}).enabled);
}

TEST(FlagSet, ErrorsNameTheFlag) {
  struct Case {
    std::vector<const char*> args;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {{"--bogus"}, "--bogus"},
           {{"--count=11"}, "--count"},
           {{"--count=x"}, "--count"},
           {{"--timeout=5 parsecs"}, "--timeout"},
           {{"--name"}, "--name"},
           {{"--collector.cpu=maybe"}, "--collector.cpu"},
           {{"--no-name"}, "--no-name"},
       }) {
    auto p = ParseArgs(c.args);
    EXPECT_FALSE(p.status.ok()) << c.args[0];
    EXPECT_NE(p.status.message().find(c.expected), std::string::npos) << p.status.message();
  }
}

}  // namespace
}  // namespace buildfarm
