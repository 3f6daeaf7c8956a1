#include "tests/support/prom_text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace buildfarm::testing {
namespace {

TEST(PromText, ParsesSamplesHelpAndType) {
  std::string error;
  auto parsed = ParsePromText(
      "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.52\n"
      "# TYPE node_cpu_seconds_total counter\n"
      "node_cpu_seconds_total{mode=\"idle\",cpu=\"0\"} 1.5e+06\n"
      "weird{path=\"a\\\\b\\\"c\\nd\"} NaN 1700000000\n"
      "up{} +Inf\n",
      &error);
  ASSERT_TRUE(parsed) << error;
  ASSERT_EQ(parsed->samples.size(), 4u);
  EXPECT_EQ(parsed->help.at("node_load1"), "1m load average.");
  EXPECT_EQ(parsed->type.at("node_cpu_seconds_total"), "counter");
  EXPECT_EQ(parsed->samples[0].value, 0.52);
  EXPECT_EQ(parsed->samples[1].Key(), "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}");
  EXPECT_EQ(parsed->samples[1].value, 1.5e6);
  EXPECT_EQ(parsed->samples[2].Label("path"), "a\\b\"c\nd");
  EXPECT_EQ(parsed->samples[2].Key(), "weird{path=\"a\\\\b\\\"c\\nd\"}");
  EXPECT_TRUE(std::isnan(parsed->samples[2].value));
  EXPECT_TRUE(std::isinf(parsed->samples[3].value));
  EXPECT_EQ(parsed->ByKey().count("up"), 1u);
}

TEST(PromText, RejectsMalformedLines) {
  for (const char* bad : {"name", "name{a=\"1\" 2", "name{a=1} 2", "name 1.2.3", "{a=\"b\"} 1",
                          "# TYPE x notatype", "name{a=\"\\q\"} 1"}) {
    std::string error;
    EXPECT_FALSE(ParsePromText(bad, &error)) << bad;
    EXPECT_NE(error.find("line 1"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace buildfarm::testing
