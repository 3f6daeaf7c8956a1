// JSON Schema checks (draft-07, valijson) against the schemas in schemas/: status, job and message,
// and the request bodies defined inside them ("job/submission", "message/send"). Every violation
// comes back with the JSON pointer of the value to blame, so an API can answer 400 naming the field
// and `build-cli validate` can print FILE: /pointer: message.
//
// The schemas are compiled in and parsed once, on first use. Thread-safe: the parsed schemas are
// immutable and each call validates with its own validator.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace buildfarm::json_schema {

struct Violation {
  std::string pointer;  // RFC 6901 JSON pointer, "" for the document itself, e.g. "/system/cpu_usage"
  std::string message;  // e.g. "value does not match the pattern ^msg_..."
};

// The document kinds: "status", "job", "message".
std::vector<std::string> SchemaNames();

// Checks `document` against a schema: a document kind ("message") or a definition inside one
// ("message/send" is #/definitions/send of message.schema.json). An empty list means valid.
// NotFound for an unknown schema name.
Result<std::vector<Violation>> Validate(std::string_view schema, const nlohmann::json& document);

// The same, as a Status: OK when valid, else InvalidArgument "<field>: <message>" naming the first
// violation's field as a path without the leading slash ("metadata/owner"), the form the API's
// error bodies use; `prefix` is put before the field (e.g. "jobs/3/").
Status Check(std::string_view schema, const nlohmann::json& document, std::string_view prefix = "");

// Guesses which schema a document is meant for by its distinctive required fields: server_id ->
// status, id with the msg_ prefix or from/to/subject -> message, status+branch or command -> job.
std::optional<std::string> DetectKind(const nlohmann::json& document);

}  // namespace buildfarm::json_schema
