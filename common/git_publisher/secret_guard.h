// Secret guard: refuses a document before it is published when it contains a likely secret.
//
// The seed's teams posted credentials in messages and committed them in plain text; every document
// the git publisher writes, and every message the scheduler accepts, goes through FindLikelySecret
// first. The finding names the kind of secret (the reason, e.g. "github_token") and where it starts,
// never the secret itself, so it can be logged, counted in buildfarm_publish_refused_total{reason}
// and returned in an API error.
//
// Shapes recognised:
//   password          `password:` / `password=` (also `"password": "..."`) followed by a one-word
//                     value that is not a placeholder (empty, ***, null, <redacted>, $ENV_NAME)
//   github_token      ghp_ / gho_ / ghs_ / ghu_ / ghr_ + 36 or more alphanumerics, github_pat_...
//   aws_access_key_id AKIA / ASIA + 16 upper-case alphanumerics
//   aws_secret_key    a 40-character key labelled aws_secret... / secret_access_key
//   slack_token       xoxa- / xoxb- / xoxp- / xoxr- / xoxs- + 10 or more token characters
//   private_key       -----BEGIN ... PRIVATE KEY-----
//   labelled_token    a high-entropy value (>= 20 chars, letters and digits, >= 3.5 bits/char)
//                     labelled token / secret / api_key / apikey / access_key
// Ordinary prose ("the password policy", "a token bucket") is not refused. Stateless, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace buildfarm::git_publisher {

struct SecretFinding {
  std::string reason;       // one of SecretReasons()
  std::size_t offset = 0;   // byte offset where the shape starts (for the author, not for logs)
};

// The first likely secret in `text`, or nullopt.
std::optional<SecretFinding> FindLikelySecret(std::string_view text);

// Every reason FindLikelySecret can return (metrics pre-create a series for each).
const std::vector<std::string>& SecretReasons();

}  // namespace buildfarm::git_publisher
