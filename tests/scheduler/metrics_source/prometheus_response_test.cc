// Table tests for ParseInstantVector: well-formed Prometheus instant-query bodies and every way a body
// can be wrong.
#include "scheduler/metrics_source/prometheus_response.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace buildfarm::scheduler {
namespace {

std::string Vector(const std::string& results) {
  return R"({"status":"success","data":{"resultType":"vector","result":[)" + results + "]}}";
}

TEST(ParseInstantVector, ReadsLabelsTimestampAndValue) {
  auto parsed = ParseInstantVector(Vector(
      R"({"metric":{"__name__":"up","node":"n1","job":"x"},"value":[1700000000.125,"0.25"]},)"
      R"({"metric":{"node":"n2"},"value":[1700000001,"4000000000"]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 2u);
  const InstantSample& first = (*parsed)[0];
  EXPECT_EQ(first.labels.at("node"), "n1");
  EXPECT_EQ(first.labels.at("__name__"), "up");
  EXPECT_EQ(first.labels.size(), 3u);
  EXPECT_DOUBLE_EQ(first.timestamp_seconds, 1700000000.125);
  EXPECT_DOUBLE_EQ(first.value, 0.25);
  EXPECT_EQ((*parsed)[1].labels.at("node"), "n2");
  EXPECT_DOUBLE_EQ((*parsed)[1].value, 4e9);
}

TEST(ParseInstantVector, EmptyResultIsEmpty) {
  auto parsed = ParseInstantVector(Vector(""));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
}

TEST(ParseInstantVector, SpecialValuesAndExtraFields) {
  struct Case {
    std::string value;
    double want;  // NaN means "is NaN"
  };
  const Case cases[] = {
      {"NaN", NAN}, {"+Inf", INFINITY}, {"-Inf", -INFINITY}, {"1e3", 1000}, {"-2.5", -2.5}, {"0", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    auto parsed = ParseInstantVector(
        R"({"status":"success","warnings":["w"],"data":{"resultType":"vector","result":[)"
        R"({"metric":{},"value":[1,")" + c.value + R"("]}]},"extra":1})");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_EQ(parsed->size(), 1u);
    if (std::isnan(c.want)) {
      EXPECT_TRUE(std::isnan((*parsed)[0].value));
    } else {
      EXPECT_EQ((*parsed)[0].value, c.want);
    }
  }
}

TEST(ParseInstantVector, MissingMetricObjectMeansNoLabels) {
  auto parsed = ParseInstantVector(Vector(R"({"value":[5,"1"]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE((*parsed)[0].labels.empty());
}

TEST(ParseInstantVector, MalformedBodiesNameTheProblem) {
  struct Case {
    std::string name;
    std::string body;
    std::string want_in_error;
  };
  const Case cases[] = {
      {"empty", "", "not valid JSON"},
      {"truncated", R"({"status":"success","data":{"resultType":"vec)", "not valid JSON"},
      {"html", "<html>502 Bad Gateway</html>", "not valid JSON"},
      {"array", "[1,2]", "not a JSON object"},
      {"no status", R"({"data":{}})", "no \"status\""},
      {"status error",
       R"({"status":"error","errorType":"bad_data","error":"parse error at char 3: unexpected"})",
       "bad_data): parse error at char 3"},
      {"no data", R"({"status":"success"})", "no \"data\""},
      {"matrix", R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
       "resultType is \"matrix\", want \"vector\""},
      {"scalar", R"({"status":"success","data":{"resultType":"scalar","result":[1,"2"]}})",
       "resultType is \"scalar\""},
      {"result not array", R"({"status":"success","data":{"resultType":"vector","result":{}}})",
       "data.result is not an array"},
      {"item not object", Vector("1"), "data.result[0]: not an object"},
      {"metric not object", Vector(R"({"metric":[],"value":[1,"1"]})"), "data.result[0].metric: not an object"},
      {"label not string", Vector(R"({"metric":{"node":3},"value":[1,"1"]})"),
       "data.result[0].metric.node: label value is not a string"},
      {"no value", Vector(R"({"metric":{}})"), "missing \"value\""},
      {"histogram", Vector(R"({"metric":{},"histogram":[1,{}]})"), "native histograms"},
      {"value not pair", Vector(R"({"metric":{},"value":[1]})"), "want [timestamp, \"value\"]"},
      {"value object", Vector(R"({"metric":{},"value":{"a":1}})"), "want [timestamp, \"value\"]"},
      {"timestamp string", Vector(R"({"metric":{},"value":["1","1"]})"), "timestamp is not a number"},
      {"value number", Vector(R"({"metric":{},"value":[1,1]})"), "value is not a string"},
      {"value garbage", Vector(R"({"metric":{},"value":[1,"12abc"]})"), "not a number: \"12abc\""},
      {"value empty", Vector(R"({"metric":{},"value":[1,""]})"), "not a number"},
      {"second item bad", Vector(R"({"value":[1,"1"]},{"value":[1,"x"]})"), "data.result[1].value[1]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseInstantVector(c.body);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.status().message().find(c.want_in_error), std::string::npos) << parsed.status().message();
  }
}

TEST(ParseInstantVector, GarbageInErrorsIsPrintable) {
  auto parsed = ParseInstantVector(std::string("\x01\xff\n{", 4));
  ASSERT_FALSE(parsed.ok());
  const std::string message = parsed.status().message();
  for (char c : message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
}

}  // namespace
}  // namespace buildfarm::scheduler
