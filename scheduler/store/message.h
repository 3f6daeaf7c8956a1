// Message: a note between build nodes (the seed's message_manager.py messages), as the scheduler's
// MessageStore keeps it, and MessageDraft, what a sender supplies.
//
// Plain values; safe to copy between threads. The JSON shape (message_json.h) follows
// schemas/message.schema.json.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace buildfarm::scheduler {

// Ordered from most to least urgent: the store sorts by this value.
enum class MessagePriority { kCritical = 0, kHigh = 1, kNormal = 2, kLow = 3 };
enum class MessageType { kInfo, kWarning, kError, kRequest, kResponse, kHeartbeat };

std::string_view MessagePriorityName(MessagePriority priority);
std::optional<MessagePriority> ParseMessagePriority(std::string_view name);
std::string_view MessageTypeName(MessageType type);
std::optional<MessageType> ParseMessageType(std::string_view name);

// The recipient that addresses every node.
inline constexpr std::string_view kEveryone = "all";

struct MessageDraft {
  std::string from;
  std::string to;  // a node, or "all"
  std::string subject;
  std::string body;
  MessagePriority priority = MessagePriority::kNormal;
  MessageType type = MessageType::kInfo;
  std::string reply_to;              // a message id, empty when none
  std::optional<double> expires_at;  // unix seconds
  nlohmann::json metadata = nlohmann::json::object();
};

struct Message {
  std::string id;  // "msg_..."
  MessageDraft draft;
  double created_at = 0;                 // unix seconds
  std::map<std::string, double> read_by;  // reader node -> unix seconds of its first read
  std::optional<double> archived_at;     // set for messages in the archive
};

}  // namespace buildfarm::scheduler
