#include "scheduler/store/message_json.h"

#include <cctype>
#include <cmath>
#include <ctime>
#include <initializer_list>

#include "common/json_schema/json_schema.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

constexpr double kSecondsPerDay = 86400;

bool Digits(std::string_view text, std::size_t pos, std::size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

// The value of `all` whose name is `name`.
template <typename Enum>
std::optional<Enum> ByName(std::string_view name, std::initializer_list<Enum> all, std::string_view (*name_of)(Enum)) {
  for (Enum value : all) {
    if (name_of(value) == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view MessagePriorityName(MessagePriority priority) {
  switch (priority) {
    case MessagePriority::kCritical: return "critical";
    case MessagePriority::kHigh: return "high";
    case MessagePriority::kNormal: return "normal";
    case MessagePriority::kLow: return "low";
  }
  return "normal";
}

std::optional<MessagePriority> ParseMessagePriority(std::string_view name) {
  return ByName(name, {MessagePriority::kCritical, MessagePriority::kHigh, MessagePriority::kNormal,
                       MessagePriority::kLow}, MessagePriorityName);
}

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kInfo: return "info";
    case MessageType::kWarning: return "warning";
    case MessageType::kError: return "error";
    case MessageType::kRequest: return "request";
    case MessageType::kResponse: return "response";
    case MessageType::kHeartbeat: return "heartbeat";
  }
  return "info";
}

std::optional<MessageType> ParseMessageType(std::string_view name) {
  return ByName(name, {MessageType::kInfo, MessageType::kWarning, MessageType::kError, MessageType::kRequest,
                       MessageType::kResponse, MessageType::kHeartbeat}, MessageTypeName);
}

std::optional<double> ParseTimestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !Digits(text, 0, 4, &year) || text[4] != '-' || !Digits(text, 5, 2, &month) ||
      text[7] != '-' || !Digits(text, 8, 2, &day) || (text[10] != 'T' && text[10] != 't') ||
      !Digits(text, 11, 2, &hour) || text[13] != ':' || !Digits(text, 14, 2, &minute) || text[16] != ':' ||
      !Digits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::size_t pos = 19;
  double fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    double scale = 0.1;
    ++pos;
    std::size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      fraction += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  double offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!Digits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (text[pos] == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<double>(timegm(&tm)) + fraction - offset;
}

namespace {

// The schema's own messages for these ("Failed to match against any enum values.") do not say what
// is allowed; these checks run first and do.
Status CheckNamedFields(const json& body) {
  for (const char* field : {"from", "to"}) {
    if (auto it = body.find(field); it != body.end() && it->is_string()) {
      BUILDFARM_RETURN_IF_ERROR(CheckNodeName(it->get<std::string>(), field));
    }
  }
  if (auto it = body.find("priority"); it != body.end() && (!it->is_string() || !ParseMessagePriority(it->get<std::string>()))) {
    return InvalidArgument("priority: want critical, high, normal or low");
  }
  if (auto it = body.find("type"); it != body.end() && (!it->is_string() || !ParseMessageType(it->get<std::string>()))) {
    return InvalidArgument("type: want info, warning, error, request, response or heartbeat");
  }
  return Status::Ok();
}

}  // namespace

Result<MessageDraft> MessageDraftFromJson(const json& body, double now) {
  if (!body.is_object()) return InvalidArgument("body: want a JSON object");
  BUILDFARM_RETURN_IF_ERROR(CheckNamedFields(body));
  BUILDFARM_RETURN_IF_ERROR(json_schema::Check("message/send", body));
  MessageDraft draft;
  draft.from = body["from"].get<std::string>();
  draft.to = body["to"].get<std::string>();
  if (draft.from == kEveryone) return InvalidArgument("from: \"all\" names every recipient, not a sender");
  draft.subject = body["subject"].get<std::string>();
  draft.body = body.value("body", "");
  if (body.contains("priority")) draft.priority = *ParseMessagePriority(body["priority"].get<std::string>());
  if (body.contains("type")) draft.type = *ParseMessageType(body["type"].get<std::string>());
  draft.reply_to = body.value("reply_to", "");
  if (body.contains("metadata")) draft.metadata = body["metadata"];
  if (body.contains("expires_at") && body.contains("expires_days")) {
    return InvalidArgument("expires_days: give expires_at or expires_days, not both");
  }
  if (body.contains("expires_at")) {
    draft.expires_at = ParseTimestamp(body["expires_at"].get<std::string>());
    if (!draft.expires_at) return InvalidArgument("expires_at: want an RFC 3339 time");
  }
  if (body.contains("expires_days")) draft.expires_at = now + body["expires_days"].get<double>() * kSecondsPerDay;
  if (draft.expires_at && !(*draft.expires_at > now)) return InvalidArgument("expires_at: already in the past");
  return draft;
}

json MessageToJson(const Message& message) {
  const MessageDraft& d = message.draft;
  json read_by = json::object();
  std::optional<double> first_read;
  for (const auto& [reader, when] : message.read_by) {
    read_by[reader] = FormatTimestamp(when);
    if (!first_read || when < *first_read) first_read = when;
  }
  json out{{"id", message.id},
           {"from", d.from},
           {"to", d.to},
           {"subject", d.subject},
           {"body", d.body},
           {"priority", std::string(MessagePriorityName(d.priority))},
           {"type", std::string(MessageTypeName(d.type))},
           {"timestamp", FormatTimestamp(message.created_at)},
           {"created_at", FormatTimestamp(message.created_at)},
           {"read", first_read.has_value()},
           {"read_by", read_by},
           {"metadata", d.metadata.is_object() ? d.metadata : json::object()}};
  if (first_read) out["read_at"] = FormatTimestamp(*first_read);
  if (!d.reply_to.empty()) out["reply_to"] = d.reply_to;
  if (d.expires_at) out["expires_at"] = FormatTimestamp(*d.expires_at);
  if (message.archived_at) out["archived_at"] = FormatTimestamp(*message.archived_at);
  return out;
}

}  // namespace buildfarm::scheduler
