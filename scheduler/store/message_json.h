// JSON form of messages: a MessageDraft from a send request (POST /api/v1/messages), checked against
// schemas/message.schema.json#/definitions/send and then for meaning, and a Message to the document
// that the API returns and the publisher writes (schemas/message.schema.json).
//
// Stateless and thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "scheduler/store/message.h"

namespace buildfarm::scheduler {

// A send request. Errors are InvalidArgument "<field>: <what>" naming the field ("priority: ...").
// `expires_days` becomes `expires_at` = now + days; giving both, or an expiry not after `now`, is an
// error. Defaults: priority normal, type info, empty body and metadata.
Result<MessageDraft> MessageDraftFromJson(const nlohmann::json& body, double now);

// The stored message: id, from, to, subject, body, priority, type, timestamp and created_at (the
// same instant; `timestamp` is the seed's name), read (by anyone), read_at (first read), read_by
// {node: time}, and reply_to, expires_at, archived_at when set, metadata.
nlohmann::json MessageToJson(const Message& message);

// RFC 3339 ("2026-11-27T03:00:00Z", "2026-11-27T04:00:00.5+01:00") to unix seconds; nullopt when
// malformed.
std::optional<double> ParseTimestamp(std::string_view text);

}  // namespace buildfarm::scheduler
