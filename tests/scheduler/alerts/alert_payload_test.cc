// The Alertmanager webhook payload parser: a valid v4 payload, and each malformed one naming its field.
#include "scheduler/alerts/alert_payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace buildfarm::scheduler {
namespace {

nlohmann::json ValidAlert() {
  return {{"status", "firing"},
          {"labels", {{"alertname", "BuildNodeDown"}, {"node", "n2"}, {"action", "failover"}}},
          {"annotations", {{"summary", "n2 is down"}}},
          {"startsAt", "2026-11-27T03:10:00.123456789Z"},
          {"endsAt", "0001-01-01T00:00:00Z"},
          {"generatorURL", "http://prometheus/graph"},
          {"fingerprint", "a1b2c3d4e5f60718"}};
}

nlohmann::json ValidPayload() {
  return {{"version", "4"}, {"groupKey", "{}:{alertname=\"BuildNodeDown\"}"}, {"truncatedAlerts", 0},
          {"status", "firing"}, {"receiver", "scheduler"}, {"groupLabels", nlohmann::json::object()},
          {"commonLabels", nlohmann::json::object()}, {"commonAnnotations", nlohmann::json::object()},
          {"externalURL", "http://alertmanager"}, {"alerts", {ValidAlert()}}};
}

TEST(AlertPayloadTest, ReadsAValidVersion4Payload) {
  nlohmann::json payload = ValidPayload();
  nlohmann::json resolved = ValidAlert();
  resolved["status"] = "resolved";
  resolved["startsAt"] = "2026-11-27T04:10:00+01:00";
  payload["alerts"].push_back(resolved);
  auto parsed = ParseAlertmanagerPayload(payload.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->receiver, "scheduler");
  ASSERT_EQ(parsed->alerts.size(), 2u);
  const Alert& firing = parsed->alerts[0];
  EXPECT_TRUE(firing.firing);
  EXPECT_EQ(firing.name(), "BuildNodeDown");
  EXPECT_EQ(firing.Label("node"), "n2");
  EXPECT_EQ(firing.fingerprint, "a1b2c3d4e5f60718");
  EXPECT_EQ(firing.starts_at, "2026-11-27T03:10:00.123456789Z");
  EXPECT_NEAR(firing.starts_at_unix, 1795749000.123456789, 1e-6);  // date -d 2026-11-27T03:10:00Z +%s
  EXPECT_FALSE(parsed->alerts[1].firing);
  EXPECT_NEAR(parsed->alerts[1].starts_at_unix, 1795749000, 1e-6);  // 04:10+01:00 is 03:10Z
}

TEST(AlertPayloadTest, AnEmptyAlertListIsValid) {
  nlohmann::json payload = ValidPayload();
  payload["alerts"] = nlohmann::json::array();
  auto parsed = ParseAlertmanagerPayload(payload.dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->alerts.empty());
}

struct BadPayload {
  const char* what;
  std::function<void(nlohmann::json&)> spoil;
  const char* field;  // the error message starts with "<field>: "
};

TEST(AlertPayloadTest, EachMalformedPayloadNamesItsField) {
  const std::vector<BadPayload> cases = {
      {"version missing", [](nlohmann::json& p) { p.erase("version"); }, "version"},
      {"version 3", [](nlohmann::json& p) { p["version"] = "3"; }, "version"},
      {"version a number", [](nlohmann::json& p) { p["version"] = 4; }, "version"},
      {"receiver a number", [](nlohmann::json& p) { p["receiver"] = 1; }, "receiver"},
      {"alerts missing", [](nlohmann::json& p) { p.erase("alerts"); }, "alerts"},
      {"alerts an object", [](nlohmann::json& p) { p["alerts"] = nlohmann::json::object(); }, "alerts"},
      {"alert a string", [](nlohmann::json& p) { p["alerts"][0] = "x"; }, "alerts[0]"},
      {"status missing", [](nlohmann::json& p) { p["alerts"][0].erase("status"); }, "alerts[0].status"},
      {"status pending", [](nlohmann::json& p) { p["alerts"][0]["status"] = "pending"; }, "alerts[0].status"},
      {"labels missing", [](nlohmann::json& p) { p["alerts"][0].erase("labels"); }, "alerts[0].labels"},
      {"labels a list", [](nlohmann::json& p) { p["alerts"][0]["labels"] = {1, 2}; }, "alerts[0].labels"},
      {"label a number", [](nlohmann::json& p) { p["alerts"][0]["labels"]["node"] = 2; }, "alerts[0].labels.node"},
      {"startsAt missing", [](nlohmann::json& p) { p["alerts"][0].erase("startsAt"); }, "alerts[0].startsAt"},
      {"startsAt a date", [](nlohmann::json& p) { p["alerts"][0]["startsAt"] = "2026-11-27"; }, "alerts[0].startsAt"},
      {"startsAt no zone", [](nlohmann::json& p) { p["alerts"][0]["startsAt"] = "2026-11-27T03:10:00"; },
       "alerts[0].startsAt"},
      {"startsAt month 13", [](nlohmann::json& p) { p["alerts"][0]["startsAt"] = "2026-13-27T03:10:00Z"; },
       "alerts[0].startsAt"},
      {"startsAt a number", [](nlohmann::json& p) { p["alerts"][0]["startsAt"] = 1795749000; }, "alerts[0].startsAt"},
      {"fingerprint missing", [](nlohmann::json& p) { p["alerts"][0].erase("fingerprint"); }, "alerts[0].fingerprint"},
      {"fingerprint empty", [](nlohmann::json& p) { p["alerts"][0]["fingerprint"] = ""; }, "alerts[0].fingerprint"},
      {"second alert bad", [](nlohmann::json& p) { p["alerts"].push_back({{"status", "firing"}}); },
       "alerts[1].labels"},
  };
  for (const BadPayload& c : cases) {
    nlohmann::json payload = ValidPayload();
    c.spoil(payload);
    auto parsed = ParseAlertmanagerPayload(payload.dump());
    ASSERT_FALSE(parsed.ok()) << c.what;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_EQ(parsed.status().message().rfind(std::string(c.field) + ": ", 0), 0u)
        << c.what << ": " << parsed.status().message();
  }
}

TEST(AlertPayloadTest, NonJsonAndNonObjectsNameTheBody) {
  for (const char* body : {"", "{", "[1,2]", "\"4\"", "null"}) {
    auto parsed = ParseAlertmanagerPayload(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().message().rfind("body: ", 0), 0u) << parsed.status().message();
  }
}

TEST(Rfc3339Test, AcceptsZonesAndFractionsAndRejectsTheRest) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0.0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T01:00:00+01:00"), 0.0);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:00:00-01:00"), 0.0);
  EXPECT_EQ(ParseRfc3339("2000-02-29T00:00:00Z"), 951782400.0);
  EXPECT_NEAR(*ParseRfc3339("2026-11-27T03:10:00.5Z"), 1795749000.5, 1e-6);
  for (const char* bad : {"", "2026-11-27T03:10:00", "2026-11-27 03:10:00Z", "2026-11-27T03:10:00.Z",
                          "2026-11-27T24:00:00Z", "2026-02-30T00:00:00Z", "2026-11-27T03:10:00+1:00",
                          "2026-11-27T03:10:00Zjunk", "abcd-11-27T03:10:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace buildfarm::scheduler
