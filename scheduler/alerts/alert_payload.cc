#include "scheduler/alerts/alert_payload.h"

#include "common/bounded_json.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace buildfarm::scheduler {
namespace {

// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm), for any Gregorian date.
long long DaysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool Digits(std::string_view text, std::size_t at, std::size_t count, int* out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

Status FieldError(const std::string& field, const std::string& what) { return InvalidArgument(field + ": " + what); }

}  // namespace

std::optional<double> ParseRfc3339(std::string_view t) {
  int year, month, day, hour, minute, second;
  if (!Digits(t, 0, 4, &year) || t.size() < 20 || t[4] != '-' || !Digits(t, 5, 2, &month) || t[7] != '-' ||
      !Digits(t, 8, 2, &day) || (t[10] != 'T' && t[10] != 't') || !Digits(t, 11, 2, &hour) || t[13] != ':' ||
      !Digits(t, 14, 2, &minute) || t[16] != ':' || !Digits(t, 17, 2, &second)) {
    return std::nullopt;
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  std::size_t at = 19;
  double fraction = 0;
  if (at < t.size() && t[at] == '.') {
    double scale = 0.1;
    std::size_t digits = 0;
    for (++at; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, ++digits) {
      fraction += (t[at] - '0') * scale;
      scale /= 10;
    }
    if (digits == 0) return std::nullopt;
  }
  int offset_seconds = 0;
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
    ++at;
  } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
    int oh, om;
    if (!Digits(t, at + 1, 2, &oh) || at + 3 >= t.size() || t[at + 3] != ':' || !Digits(t, at + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (t[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != t.size()) return std::nullopt;
  const long long days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return static_cast<double>(days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds) + fraction;
}

Result<AlertNotification> ParseAlertmanagerPayload(std::string_view body) {
  auto parsed = ParseBoundedJson(body, "body");
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& doc = *parsed;
  if (!doc.is_object()) return FieldError("body", "want a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_string() || *version != "4") {
    return FieldError("version", "want \"4\" (Alertmanager webhook payload version 4)");
  }
  AlertNotification out;
  if (auto receiver = doc.find("receiver"); receiver != doc.end()) {
    if (!receiver->is_string()) return FieldError("receiver", "want a string");
    out.receiver = receiver->get<std::string>();
  }
  auto alerts = doc.find("alerts");
  if (alerts == doc.end() || !alerts->is_array()) return FieldError("alerts", "want an array");
  for (std::size_t i = 0; i < alerts->size(); ++i) {
    const nlohmann::json& a = (*alerts)[i];
    const std::string at = "alerts[" + std::to_string(i) + "]";
    if (!a.is_object()) return FieldError(at, "want an object");
    Alert alert;
    auto status = a.find("status");
    if (status == a.end() || !status->is_string() || (*status != "firing" && *status != "resolved")) {
      return FieldError(at + ".status", "want \"firing\" or \"resolved\"");
    }
    alert.firing = *status == "firing";
    auto labels = a.find("labels");
    if (labels == a.end() || !labels->is_object()) return FieldError(at + ".labels", "want an object of strings");
    for (const auto& [key, value] : labels->items()) {
      if (!value.is_string()) return FieldError(at + ".labels." + key, "want a string");
      alert.labels[key] = value.get<std::string>();
    }
    auto starts = a.find("startsAt");
    if (starts == a.end() || !starts->is_string()) return FieldError(at + ".startsAt", "want an RFC 3339 time");
    alert.starts_at = starts->get<std::string>();
    auto starts_unix = ParseRfc3339(alert.starts_at);
    if (!starts_unix) return FieldError(at + ".startsAt", "want an RFC 3339 time");
    alert.starts_at_unix = *starts_unix;
    auto fingerprint = a.find("fingerprint");
    if (fingerprint == a.end() || !fingerprint->is_string() || fingerprint->get_ref<const std::string&>().empty()) {
      return FieldError(at + ".fingerprint", "want a non-empty string");
    }
    alert.fingerprint = fingerprint->get<std::string>();
    out.alerts.push_back(std::move(alert));
  }
  return out;
}

}  // namespace buildfarm::scheduler
