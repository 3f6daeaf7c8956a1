#include "common/json_schema/json_schema.h"

#include <gtest/gtest.h>

namespace buildfarm {
namespace {

TEST(JsonSchema, BundledStatusSchemaCompiles) { ASSERT_NE(StatusDocumentSchema(), nullptr); }

TEST(JsonSchema, NamesEachViolationByPointer) {
  auto schema = JsonSchema::Parse(R"({"type":"object","required":["id"],
      "properties":{"id":{"type":"string"},"system":{"type":"object","properties":{"cpu":{"type":"number","maximum":100}}}}})",
                                  "test.schema.json");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_TRUE((*schema)->Validate(R"({"id":"a","system":{"cpu":5}})").ok());
  Status invalid = (*schema)->Validate(R"({"id":7,"system":{"cpu":500}})");
  EXPECT_EQ(invalid.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.message().find("/id"), std::string::npos) << invalid.message();
  EXPECT_NE(invalid.message().find("/system/cpu"), std::string::npos) << invalid.message();
  EXPECT_NE(invalid.message().find("test.schema.json"), std::string::npos);
  auto violations = (*schema)->Violations("{}");
  ASSERT_FALSE(violations.empty());
  EXPECT_NE(violations[0].message.find("id"), std::string::npos);
}

TEST(JsonSchema, TextThatIsNotJsonIsOneViolation) {
  auto violations = StatusDocumentSchema()->Violations("{not json");
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].pointer, "");
}

TEST(JsonSchema, ABrokenSchemaIsAParseError) {
  EXPECT_EQ(JsonSchema::Parse("{", "x.json").status().code(), StatusCode::kParseError);
}

}  // namespace
}  // namespace buildfarm
