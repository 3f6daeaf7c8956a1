// The schemas in schemas/ through the validation library: valid documents pass, and each violation
// is reported with the JSON pointer of the field to blame.
#include "common/json_schema/json_schema.h"

#include <gtest/gtest.h>


namespace buildfarm::json_schema {
namespace {

using nlohmann::json;

json ValidMessage() {
  return json{{"id", "msg_1764200000000_a1b2c3"}, {"from", "build1"}, {"to", "all"}, {"subject", "Critical Alert"},
              {"body", "System issue"}, {"timestamp", "2026-11-27T03:00:00Z"}, {"priority", "critical"},
              {"type", "heartbeat"}, {"read", false}, {"read_by", json::object()}, {"metadata", {{"k", 1}}}};
}

std::vector<std::string> Pointers(const std::vector<Violation>& violations) {
  std::vector<std::string> out;
  for (const auto& v : violations) out.push_back(v.pointer);
  return out;
}

TEST(JsonSchemaTest, KnowsTheThreeKinds) {
  EXPECT_EQ(SchemaNames(), (std::vector<std::string>{"status", "job", "message"}));
  EXPECT_EQ(Validate("nonsense", json::object()).status().code(), StatusCode::kNotFound);
}

TEST(JsonSchemaTest, ValidMessagePassesWithAnyDnsLabelAndHeartbeat) {
  auto violations = Validate("message", ValidMessage());
  ASSERT_TRUE(violations.ok()) << violations.status().ToString();
  EXPECT_TRUE(violations->empty()) << violations->front().pointer << " " << violations->front().message;
}

struct Case {
  std::string name;
  std::string schema;
  json document;
  std::vector<std::string> pointers;
};

class ViolationTest : public ::testing::TestWithParam<Case> {};

TEST_P(ViolationTest, ReportsEveryViolatedField) {
  auto violations = Validate(GetParam().schema, GetParam().document);
  ASSERT_TRUE(violations.ok()) << violations.status().ToString();
  EXPECT_EQ(Pointers(*violations), GetParam().pointers);
  for (const auto& v : *violations) EXPECT_FALSE(v.message.empty());
}

json With(json doc, const std::string& key, json value) {
  doc[key] = std::move(value);
  return doc;
}

json Without(json doc, const std::string& key) {
  doc.erase(key);
  return doc;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ViolationTest,
    ::testing::Values(
        Case{"bad_priority", "message", With(ValidMessage(), "priority", "urgent"), {"/priority"}},
        Case{"bad_type_and_sender", "message", With(With(ValidMessage(), "type", "chat"), "from", "Build_1"),
             {"/from", "/type"}},
        Case{"missing_subject", "message", Without(ValidMessage(), "subject"), {"/subject"}},
        Case{"id_without_prefix", "message", With(ValidMessage(), "id", "123456"), {"/id"}},
        Case{"bad_timestamp", "message", With(ValidMessage(), "timestamp", "yesterday"), {"/timestamp"}},
        Case{"metadata_not_object", "message", With(ValidMessage(), "metadata", "x"), {"/metadata"}},
        Case{"send_unknown_field", "message/send", json{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"colour", 1}},
             {"/colour"}},
        Case{"send_bad_expiry", "message/send", json{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"expires_days", 0}},
             {"/expires_days"}},
        Case{"job_nested", "job/submission",
             json{{"command", "make"}, {"requirements", {{"cores", -1}}}, {"profiles", {"a", 2}}},
             {"/profiles/1", "/requirements/cores"}},
        Case{"job_document_states", "job",
             json{{"id", "j1"}, {"status", "lost"}, {"branch", "main"}, {"priority", 11}, {"created_at", "2026-11-27T03:00:00Z"},
                  {"assigned_to", "node-7"}},
             {"/priority", "/status"}},
        Case{"status_any_dns_label", "status",
             json{{"server_id", "ci-runner-12"}, {"ip", "10.0.0.7"}, {"status", "sleeping"}, {"timestamp", "2026-11-27T03:00:00Z"}},
             {"/status"}}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(JsonSchemaTest, CheckNamesTheFieldAsTheApiDoes) {
  Status status = Check("job/submission", json{{"command", "make"}, {"requirements", {{"cores", "two"}}}}, "jobs/0/");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("jobs/0/requirements/cores: ", 0), 0u) << status.message();
  EXPECT_TRUE(Check("job/submission", json{{"command", "make"}}).ok());
}

TEST(JsonSchemaTest, DetectsTheKind) {
  EXPECT_EQ(DetectKind(ValidMessage()), "message");
  EXPECT_EQ(DetectKind(json{{"server_id", "a"}}), "status");
  EXPECT_EQ(DetectKind(json{{"id", "j"}, {"status", "queued"}, {"branch", "main"}}), "job");
  EXPECT_EQ(DetectKind(json{{"x", 1}}), std::nullopt);
  EXPECT_EQ(DetectKind(json::array()), std::nullopt);
}

TEST(JsonSchemaTest, SeedShapedDocumentsStillValidate) {
  // The seed's own server ids and message types remain valid under the generalized schemas.
  json seed_message{{"id", "msg_123456"}, {"from", "build1"}, {"to", "code2"}, {"subject", "Build done"},
                    {"timestamp", "2025-11-13T10:00:00Z"}, {"priority", "normal"}, {"type", "response"}, {"read", true},
                    {"read_at", "2025-11-13T10:05:00Z"}, {"reply_to", "msg_123455"}};
  auto violations = Validate("message", seed_message);
  ASSERT_TRUE(violations.ok());
  EXPECT_TRUE(violations->empty());
  json seed_job{{"id", "job123"}, {"status", "running"}, {"branch", "main"}, {"priority", 5},
                {"created_at", "2025-11-13T10:00:00Z"}, {"assigned_to", "build2"}, {"build_type", "incremental"}};
  violations = Validate("job", seed_job);
  ASSERT_TRUE(violations.ok());
  EXPECT_TRUE(violations->empty());
}

}  // namespace
}  // namespace buildfarm::json_schema
