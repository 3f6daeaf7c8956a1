// Secret guard: refuses a document before it is published when it contains a likely secret.
//
// The seed's teams posted credentials in messages and committed them in plain text; every document
// the git publisher writes, and every message the scheduler accepts, goes through FindLikelySecret
// first. The finding names the kind of secret (the reason, e.g. "github_token") and where it starts,
// never the secret itself, so it can be logged, counted in buildfarm_publish_refused_total{reason}
// and returned in an API error.
//
// Shapes recognised:
//   password          `password:` / `password=` (also `"password": "..."`) and `*_PASS=` followed by a
//                     value that is not a placeholder (empty, ***, null, true, <...>, $ENV_NAME). After
//                     `KEY=` with no blanks the value is the first word (`PGPASSWORD=s3cret psql ...`);
//                     otherwise a value of several words is prose ("password: see the wiki").
//   github_token      ghp_ / gho_ / ghs_ / ghu_ / ghr_ + 36 or more alphanumerics, github_pat_...
//   gitlab_token      glpat- + 20 or more base64url characters
//   aws_access_key_id AKIA / ASIA + 16 upper-case alphanumerics
//   aws_secret_key    a 40-character key labelled aws_secret... / secret_access_key
//   slack_token       xoxa- / xoxb- / xoxp- / xoxr- / xoxs- + 10 or more token characters
//   private_key       -----BEGIN ... PRIVATE KEY-----
//   labelled_token    a random-looking value (>= 20 token characters, letters and digits, >= 3.5
//                     bits/char) labelled token / secret / api_key / apikey / access_key
//   url_credentials   scheme://user:password@host, or scheme://TOKEN@host (a random-looking user)
//   command_line_password  `curl -u user:password` / `curl --user user:password`, `--password value`
//   authorization_header   `Authorization: Bearer|Basic|token|Bot <credential>`, or `Bearer <random>`
//   jwt               three base64url parts joined by dots, the first starting `eyJ`
// Ordinary prose ("the password policy", "a token bucket") is not refused. Also looks inside JSON
// strings written into JSON strings (\"password\": \"...\").
//
// One pass: the work is linear in the text's length whatever it holds (secret_scan.h; issue 11 measured
// 382 s for 1 MB before). Stateless, thread-safe.
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
