// Bearer-token authentication and role checks for the scheduler API.
//
// Two kinds of token are accepted:
// - config tokens (the YAML `tokens:` list), SHA-256 hex digests: the bootstrap. They change only with
//   the file and a restart and cannot be revoked through the API. A presented token is hashed (OpenSSL)
//   and compared with every configured digest in constant time, so neither the token nor its position
//   leaks through timing;
// - stored tokens (TokenStore, `bft_<id>_<secret>`), made and revoked through /api/v1/tokens; they work
//   from the moment they are created, with no restart. Salted SHA-256, compared in constant time.
// A refusal says why (unknown, expired, revoked) in its Status for the log; Admit() answers the client
// only "unknown or expired token". Tokens are never logged: a Principal carries only the token's name.
// Immutable after construction; thread-safe (the token store serializes on the Database).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/server/config.h"
#include "scheduler/store/digest.h"
#include "scheduler/store/token_store.h"

namespace buildfarm::scheduler {

struct Principal {
  std::string name;  // the token's name (safe to log)
  Role role = Role::kViewer;
  std::string node;  // agents only
  AgentClaimLimits claims;  // config agent tokens only: what its node may claim at registration
};

class TokenTable {
 public:
  // `store` (may be null: config tokens only) must outlive the table; `clock` gives unix seconds.
  explicit TokenTable(std::vector<TokenConfig> tokens, TokenStore* store = nullptr,
                      std::function<double()> clock = nullptr);
  // From an Authorization header value ("Bearer <token>"). Unauthenticated when missing, unknown,
  // expired or revoked, with the reason in the message (for the log only).
  Result<Principal> Authenticate(std::string_view authorization_header) const;
  // Whether a config token has this name (such tokens cannot be made or revoked through the API).
  bool IsConfigToken(std::string_view name) const;

 private:
  std::vector<TokenConfig> tokens_;
  TokenStore* store_;
  std::function<double()> clock_;
};

// What a route needs.
enum class Access {
  kRead,       // viewer, operator and admin
  kOperate,    // operator and admin: submit, cancel, retry and assign jobs
  kAdmin,      // admin only
  kAgent,      // admin, or an agent acting for `node`
  kAnyAgent,   // admin, or an agent of any node (the handler checks which node it acts for)
  kWebhook,    // admin, or Alertmanager's webhook token
};

// OK, or PermissionDenied naming what is missing. `node` is the node a kAgent route acts for.
Status Authorize(const Principal& who, Access access, std::string_view node = {});

}  // namespace buildfarm::scheduler
