// Bearer-token authentication and role checks for the scheduler API.
//
// Tokens are configured as SHA-256 hex digests; a presented token is hashed (OpenSSL) and compared with
// every configured digest in constant time, so neither the token nor its position leaks through timing.
// Tokens are never logged: a Principal carries only the token's configured name. Immutable after
// construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scheduler/server/config.h"

namespace buildfarm::scheduler {

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

struct Principal {
  std::string name;  // the token's configured name (safe to log)
  Role role = Role::kViewer;
  std::string node;  // agents only
  AgentClaimLimits claims;  // agents only: what its node may claim at registration
};

class TokenTable {
 public:
  explicit TokenTable(std::vector<TokenConfig> tokens) : tokens_(std::move(tokens)) {}
  // From an Authorization header value ("Bearer <token>"). Unauthenticated when missing or unknown.
  Result<Principal> Authenticate(std::string_view authorization_header) const;

 private:
  std::vector<TokenConfig> tokens_;
};

// What a route needs.
enum class Access {
  kRead,       // viewer and admin
  kAdmin,      // admin only
  kAgent,      // admin, or an agent acting for `node`
  kAnyAgent,   // admin, or an agent of any node (the handler checks which node it acts for)
  kWebhook,    // admin, or Alertmanager's webhook token
};

// OK, or PermissionDenied naming what is missing. `node` is the node a kAgent route acts for.
Status Authorize(const Principal& who, Access access, std::string_view node = {});

}  // namespace buildfarm::scheduler
