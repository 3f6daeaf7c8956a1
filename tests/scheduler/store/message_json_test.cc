// Send bodies to drafts (defaults, expiry, errors naming the field), RFC 3339 times, and the stored
// message's document against schemas/message.schema.json.
#include "scheduler/store/message_json.h"

#include <gtest/gtest.h>

#include "common/json_schema/json_schema.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

constexpr double kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

TEST(MessageJsonTest, Timestamps) {
  EXPECT_EQ(ParseTimestamp("2027-01-15T08:00:00Z"), kNow);
  EXPECT_EQ(ParseTimestamp("2027-01-15T09:30:00.5+01:30"), kNow + 0.5);
  EXPECT_EQ(ParseTimestamp("2027-01-15t03:00:00-05:00"), kNow);
  for (const char* bad : {"", "2027-01-15", "2027-01-15T08:00:00", "2027-13-15T08:00:00Z", "2027-01-15T08:00:00Zjunk",
                          "2027-01-15T08:00:00.Z", "2027-01-15T08:00:00+0100", "yesterday"}) {
    EXPECT_EQ(ParseTimestamp(bad), std::nullopt) << bad;
  }
}

TEST(MessageJsonTest, DefaultsAndExpiry) {
  auto draft = MessageDraftFromJson(json{{"from", "build1"}, {"to", "all"}, {"subject", "s"}}, kNow);
  ASSERT_TRUE(draft.ok()) << draft.status().ToString();
  EXPECT_EQ(draft->priority, MessagePriority::kNormal);
  EXPECT_EQ(draft->type, MessageType::kInfo);
  EXPECT_EQ(draft->body, "");
  EXPECT_FALSE(draft->expires_at.has_value());
  auto days = MessageDraftFromJson(json{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"expires_days", 1.5}}, kNow);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->expires_at, kNow + 1.5 * 86400);
  auto at = MessageDraftFromJson(
      json{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"expires_at", "2027-01-16T08:00:00Z"}}, kNow);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->expires_at, kNow + 86400);
}

TEST(MessageJsonTest, ErrorsNameTheField) {
  struct Case {
    json body;
    std::string field;
  };
  const Case cases[] = {
      {json::array(), "body"},
      {{{"from", "a"}, {"to", "b"}}, "subject"},
      {{{"from", "all"}, {"to", "b"}, {"subject", "s"}}, "from"},
      {{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"expires_at", "2027-01-15T07:00:00Z"}}, "expires_at"},
      {{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"expires_at", "2027-02-30 nope"}}, "expires_at"},
      {{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"expires_days", 4000}}, "expires_days"},
      {{{"from", "a"}, {"to", "b"}, {"subject", "s"}, {"metadata", {{"nested", {{"ok", true}}}}}, {"x", 1}}, "x"},
  };
  for (const Case& c : cases) {
    auto draft = MessageDraftFromJson(c.body, kNow);
    ASSERT_FALSE(draft.ok()) << c.body.dump();
    EXPECT_EQ(draft.status().message().rfind(c.field + ": ", 0), 0u) << draft.status().message();
  }
}

TEST(MessageJsonTest, StoredDocumentMatchesTheSchema) {
  auto draft = MessageDraftFromJson(json{{"from", "build1"}, {"to", "all"}, {"subject", "s"}, {"type", "heartbeat"},
                                         {"reply_to", "msg_1"}, {"expires_days", 2}, {"metadata", {{"k", "v"}}}},
                                    kNow);
  ASSERT_TRUE(draft.ok());
  Message message{"msg_1800000000000_abcdef", *draft, kNow, {{"build2", kNow + 5}, {"build3", kNow + 2}}, kNow + 9};
  json doc = MessageToJson(message);
  EXPECT_EQ(doc["read_at"], "2027-01-15T08:00:02Z");
  EXPECT_EQ(doc["timestamp"], doc["created_at"]);
  EXPECT_TRUE(doc["read"].get<bool>());
  auto violations = json_schema::Validate("message", doc);
  ASSERT_TRUE(violations.ok());
  EXPECT_TRUE(violations->empty()) << violations->front().pointer << ": " << violations->front().message;
}

}  // namespace
}  // namespace buildfarm::scheduler
