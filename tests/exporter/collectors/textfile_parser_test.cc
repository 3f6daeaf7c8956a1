#include "exporter/collectors/textfile_parser.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

Families Merged(std::vector<TextfileFamily> families) {
  TextfileMerger merger;
  EXPECT_TRUE(merger.Add("f.prom", std::move(families)).ok());
  Families out;
  std::move(merger).AppendTo(out);
  return out;
}

TEST(ParseTextfile, GaugesWithDefaultHelpAndPaddedLabels) {
  auto families = ParseTextfile(
      "# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total{kind=\"a\"} 3\n"
      "jobs_total{x=\"y\",kind=\"b\"} 4\nbare 5\n",
      "/var/lib/textfile/jobs.prom");
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 2u);
  EXPECT_EQ((*families)[0].family.help, "Jobs run.");
  EXPECT_EQ((*families)[0].family.type, prometheus::MetricType::Counter);
  EXPECT_EQ((*families)[0].label_names, (std::vector<std::string>{"kind", "x"}));
  EXPECT_EQ((*families)[0].line, 1u);
  EXPECT_EQ((*families)[1].family.help, "Metric read from /var/lib/textfile/jobs.prom");
  EXPECT_EQ((*families)[1].family.type, prometheus::MetricType::Untyped);
  EXPECT_EQ((*families)[1].line, 5u);
  Families out = Merged(std::move(families).value());
  // Missing labels are padded with "", as node_exporter does, and labels are sorted.
  EXPECT_EQ(SampleValue(out, "jobs_total", {{"kind", "a"}, {"x", ""}}), 3);
  EXPECT_EQ(SampleValue(out, "jobs_total", {{"kind", "b"}, {"x", "y"}}), 4);
  EXPECT_EQ(out[0].metric[1].label[0].name, "kind");
  EXPECT_EQ(SampleValue(out, "bare", {}), 5);
}

TEST(ParseTextfile, AssemblesHistogramsAndSummaries) {
  auto families = ParseTextfile(
      "# TYPE d histogram\nd_bucket{le=\"1\",j=\"a\"} 1\nd_bucket{j=\"a\",le=\"0.5\"} 0\nd_sum{j=\"a\"} 3.5\n"
      "d_count{j=\"a\"} 2\n# TYPE s summary\ns{quantile=\"0.9\"} 7\ns{quantile=\"0.5\"} 4\ns_sum 20\ns_count 3\n",
      "x.prom");
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  ASSERT_EQ(families->size(), 2u);
  const auto& histogram = (*families)[0].family;
  ASSERT_EQ(histogram.metric.size(), 1u);
  const auto& buckets = histogram.metric[0].histogram.bucket;
  ASSERT_EQ(buckets.size(), 3u);  // sorted, and +Inf added with the count, as the Go writer does
  EXPECT_EQ(buckets[0].upper_bound, 0.5);
  EXPECT_EQ(buckets[1].cumulative_count, 1u);
  EXPECT_TRUE(std::isinf(buckets[2].upper_bound));
  EXPECT_EQ(buckets[2].cumulative_count, 2u);
  EXPECT_EQ(histogram.metric[0].histogram.sample_sum, 3.5);
  EXPECT_EQ((*families)[0].label_names, std::vector<std::string>{"j"});
  const auto& summary = (*families)[1].family;
  ASSERT_EQ(summary.metric.size(), 1u);
  ASSERT_EQ(summary.metric[0].summary.quantile.size(), 2u);
  EXPECT_EQ(summary.metric[0].summary.quantile[0].quantile, 0.5);
  EXPECT_EQ(summary.metric[0].summary.sample_count, 3u);
}

TEST(ParseTextfile, RejectsMalformedFilesNamingTheLine) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {"ok 1\nbad line here\n", "line 2: expected float"},
           {"ok 1\nts 1 1700000000000\n", "line 2: client-side timestamps"},
           {"a{x=\"1\"} 1\na{x=\"1\"} 2\n", "line 2: duplicate series"},
           {"# TYPE h histogram\nh_bucket 1\n", "line 2: h_bucket needs a numeric le"},
           {"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", "line 2: h_bucket needs a numeric le"},
           {"# TYPE h histogram\nh 1\n", "line 2: histogram h needs"},
           {"# TYPE h histogram\nh_bucket{le=\"1\"} -1\n", "line 2: bucket count"},
           {"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n", "line 3: duplicate series"},
           {"# TYPE s summary\ns 1\n", "line 2: s needs a numeric quantile"},
           {"# TYPE s summary\ns_count -3\n", "line 2: s_count must be a count"},
           {"a 1\n# TYPE a gauge\n", "line 2: TYPE line for \"a\" after its samples"},
           {"# HELP a x\n# HELP a y\n", "line 2: second HELP"},
           {"a{b=\"1\",b=\"2\"} 1\n", "line 1: duplicate label name"},
           {"a{b=\"1", "line 1: invalid quoted value"},
           {"a{b=\"1\"", "line 1: unexpected end of label set"},
       }) {
    auto families = ParseTextfile(c.text, "f.prom");
    ASSERT_FALSE(families.ok()) << c.text;
    EXPECT_NE(families.status().message().find(c.error), std::string::npos)
        << c.text << " -> " << families.status().message();
  }
}

TEST(ParseTextfile, HugeAndEmptyInput) {
  std::string huge;
  for (int i = 0; i < 20000; ++i) huge += "m{i=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
  auto families = ParseTextfile(huge, "big.prom");
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ((*families)[0].family.metric.size(), 20000u);
  auto empty = ParseTextfile("# only a comment\n\n", "e.prom");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(TextfileMerger, RefusesConflictingFilesWhole) {
  auto first = ParseTextfile("# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 1\nb 2\n", "/d/1.prom");
  ASSERT_TRUE(first.ok());
  TextfileMerger merger;
  ASSERT_TRUE(merger.Add("/d/1.prom", std::move(first).value()).ok());
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {"c 1\n# HELP a Other.\n# TYPE a gauge\na{x=\"2\"} 1\n", "line 2: metric a has another HELP text than in /d/1.prom"},
           {"# HELP a A.\n# TYPE a counter\na{x=\"2\"} 1\n", "line 1: metric a has another TYPE"},
           {"# HELP a A.\n# TYPE a gauge\na{y=\"2\"} 1\n", "other label names"},
           {"# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 5\n", "repeats a series"},
       }) {
    auto second = ParseTextfile(c.text, "/d/1.prom");  // same path: the default HELP of b matches
    ASSERT_TRUE(second.ok()) << c.text << ": " << second.status().ToString();
    Status status = merger.Add("/d/2.prom", std::move(second).value());
    ASSERT_FALSE(status.ok()) << c.text;
    EXPECT_NE(status.message().find(c.error), std::string::npos) << status.message();
  }
  // A compatible file adds its series to the same family.
  auto third = ParseTextfile("# HELP a A.\n# TYPE a gauge\na{x=\"3\"} 3\n", "/d/3.prom");
  ASSERT_TRUE(merger.Add("/d/3.prom", std::move(third).value()).ok());
  Families out;
  std::move(merger).AppendTo(out);
  ASSERT_EQ(out.size(), 2u);  // a and b; nothing of the refused files (c never appears)
  EXPECT_EQ(FindFamily(out, "a")->metric.size(), 2u);
  EXPECT_EQ(FindFamily(out, "c"), nullptr);
}

}  // namespace
}  // namespace buildfarm::exporter
