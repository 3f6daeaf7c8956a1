#include "common/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace buildfarm {
namespace {

std::string Format(double value) {
  std::string out;
  AppendPrometheusDouble(out, value);
  return out;
}

TEST(PrometheusText, FormatsNumbersAsGoDoes) {
  // Expected strings are what strconv.FormatFloat(v, 'g', -1, 64) returns.
  struct Case {
    double value;
    const char* text;
  };
  for (const Case& c : std::vector<Case>{
           {0, "0"},
           {1, "1"},
           {-1, "-1"},
           {0.52, "0.52"},
           {999999, "999999"},
           {1e6, "1e+06"},
           {1234567, "1.234567e+06"},
           {5601.87, "5601.87"},
           {0.0001, "0.0001"},
           {0.00001, "1e-05"},
           {2.5769803776e10, "2.5769803776e+10"},
           {18446744073709551615.0, "1.8446744073709552e+19"},
           {1.5e-7, "1.5e-07"},
           {1e100, "1e+100"},
           {std::numeric_limits<double>::infinity(), "+Inf"},
           {-std::numeric_limits<double>::infinity(), "-Inf"},
           {std::nan(""), "NaN"},
       }) {
    EXPECT_EQ(Format(c.value), c.text) << c.text;
  }
}

TEST(PrometheusText, LargeCountersRoundTrip) {
  for (double v : {18446744073709551615.0, 9007199254740993.0, 123456789012345678.0, 0.1 + 0.2}) {
    EXPECT_EQ(std::stod(Format(v)), v) << Format(v);
  }
}

TEST(PrometheusText, EscapesHelpAndLabelsAndExpandsHistograms) {
  prometheus::MetricFamily gauge;
  gauge.name = "x";
  gauge.help = "a \\ b\nc";
  gauge.type = prometheus::MetricType::Gauge;
  auto& sample = gauge.metric.emplace_back();
  sample.label = {{"path", "C:\\dir \"q\"\n"}};
  sample.gauge.value = 2;
  prometheus::MetricFamily histogram;
  histogram.name = "h_seconds";
  histogram.help = "h";
  histogram.type = prometheus::MetricType::Histogram;
  auto& h = histogram.metric.emplace_back();
  h.label = {{"target", "git"}};
  h.histogram.bucket = {{1, 0.5}, {3, std::numeric_limits<double>::infinity()}};
  h.histogram.sample_count = 3;
  h.histogram.sample_sum = 1.25;
  EXPECT_EQ(SerializePrometheusText({gauge, histogram}),
            "# HELP x a \\\\ b\\nc\n# TYPE x gauge\nx{path=\"C:\\\\dir \\\"q\\\"\\n\"} 2\n"
            "# HELP h_seconds h\n# TYPE h_seconds histogram\n"
            "h_seconds_bucket{target=\"git\",le=\"0.5\"} 1\n"
            "h_seconds_bucket{target=\"git\",le=\"+Inf\"} 3\n"
            "h_seconds_sum{target=\"git\"} 1.25\nh_seconds_count{target=\"git\"} 3\n");
}

}  // namespace
}  // namespace buildfarm
