#include "common/prometheus_text_parser.h"

#include <gtest/gtest.h>

#include <cmath>

namespace buildfarm {
namespace {

TEST(ParsePrometheusText, ReadsSamplesHeadersAndTimestamps) {
  auto document = ParsePrometheusText(
      "# HELP a_total Counts \\\\ things\\nacross lines.\n# TYPE a_total counter\n"
      "a_total{ x = \"1\" , y=\"q\\\"\\\\\\n\" , } 1.5e+06 1700000000000\n"
      "#  a plain comment\n\n  b NaN\nc{} -Inf\t\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\n");
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->samples.size(), 5u);
  const auto& a = document->samples[0];
  EXPECT_EQ(a.name, "a_total");
  ASSERT_EQ(a.labels.size(), 2u);
  EXPECT_EQ(a.labels[1].second, "q\"\\\n");
  EXPECT_EQ(a.value, 1.5e6);
  EXPECT_EQ(a.timestamp_ms, 1700000000000);
  EXPECT_EQ(a.line, 3u);
  EXPECT_TRUE(std::isnan(document->samples[1].value));
  EXPECT_TRUE(std::isinf(document->samples[2].value));
  EXPECT_EQ(document->headers.at("a_total").help, "Counts \\ things\nacross lines.");
  EXPECT_EQ(document->headers.at("a_total").type, "counter");
  EXPECT_EQ(document->headers.at("a_total").type_line, 2u);
  EXPECT_EQ(document->FamilyOf("h_bucket"), "h");
  EXPECT_EQ(document->FamilyOf("h_sum"), "h");
  EXPECT_EQ(document->FamilyOf("a_total_sum"), "a_total_sum");
}

TEST(ParsePrometheusText, ReportsTheFirstBadLine) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {"ok 1\nname\n", "line 2: expected float"},
           {"name{a=\"1\" 2", "line 1: unexpected end of label set"},
           {"name{a=1} 2", "line 1: invalid quoted value"},
           {"name 1.2.3", "line 1: expected float"},
           {"{a=\"b\"} 1", "line 1: invalid metric name"},
           {"# TYPE x notatype", "line 1: unknown metric type"},
           {"name{a=\"\\q\"} 1", "line 1: invalid quoted value"},
           {"name{1a=\"b\"} 1", "line 1: invalid label name"},
           {"name 1 notatime", "line 1: expected integer as timestamp"},
           {"name 1 1 1", "line 1: spurious string"},
           {"# HELP x a\\qb", "line 1: invalid escape"},
           {"# HELP", "line 1: invalid metric name"},
           {"# TYPE x gauge\n# TYPE x gauge", "line 2: second TYPE"},
           {"x 1\n# TYPE x gauge", "line 2: TYPE line for \"x\" after its samples"},
           {"name{a=\"1\",a=\"2\"} 1", "line 1: duplicate label name"},
       }) {
    auto document = ParsePrometheusText(c.text);
    ASSERT_FALSE(document.ok()) << c.text;
    EXPECT_NE(document.status().message().find(c.error), std::string::npos)
        << c.text << " -> " << document.status().message();
  }
}

TEST(ParsePrometheusText, EscapesRoundTrip) {
  EXPECT_EQ(EscapePromLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

}  // namespace
}  // namespace buildfarm
