// Secret redaction: for list documents whose entries come from users (coordination/jobs.json, the
// messages), so that one entry holding a likely secret does not keep the whole file from being
// published round after round (issue 11 item 5). The Publisher still refuses any document in which
// the secret guard finds something; redacting the entries first means it finds nothing.
//
// Each top-level field of the entry is judged on its own, as it reads in the published document
// ("key": value, indented): a string field in which the guard finds a likely secret becomes
// "[redacted: <reason>]", any other field (an object, a list) is removed. If the entry as a whole
// still trips the guard afterwards (a shape spanning two fields), the caller should drop it: the last
// Redaction then names no field. The secret itself is never copied anywhere.
//
// Stateless, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace buildfarm::git_publisher {

struct Redaction {
  std::string field;   // the top-level field redacted; empty: the whole entry must be dropped
  std::string reason;  // one of SecretReasons()
};

// The marker a redacted string field holds.
std::string RedactedMarker(const std::string& reason);

// Redacts `entry` (a JSON object) in place; empty when the guard found nothing.
std::vector<Redaction> RedactLikelySecrets(nlohmann::json& entry);

}  // namespace buildfarm::git_publisher
