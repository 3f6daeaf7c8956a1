// TokenStore: API tokens made and revoked at run time (POST/DELETE-style routes under /api/v1/tokens),
// kept in the scheduler's shared Database next to the jobs.
//
// A token is `bft_<id>_<secret>`: `id` is 16 random hex digits that says which row to look at (so a
// check is one indexed lookup, not a scan), `secret` is 64 random hex digits (256 bits from OpenSSL's
// RAND_bytes). The row keeps only a random 16-byte salt and SHA-256(salt || token). A slow password hash
// (bcrypt, scrypt) exists to make guessing low-entropy human passwords expensive; a 256-bit random secret
// cannot be guessed whatever the hash costs, so one SHA-256 is as safe and keeps every request cheap.
// The salt only makes two stores' rows incomparable. The secret itself is returned once, by Create().
//
// Each row: name (unique among live tokens; a revoked token's name may be used again), role (a string
// the server checks: admin, operator, viewer, agent, webhook), node (agents), created, expires (optional),
// last_used (written at most once per kLastUsedResolution per token, so authenticating is a read) and
// revoked (time; revoked rows stay, so a later use is logged as "revoked", not "unknown").
//
// Thread-safe: calls are serialized on the shared Database. Time is passed in by the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/store/sqlite.h"

namespace buildfarm::scheduler {

struct StoredToken {
  std::string name;
  std::string role;
  std::string node;  // agents only
  double created = 0;
  std::optional<double> expires;
  std::optional<double> last_used;
  std::optional<double> revoked;
};

struct NewToken {
  std::string name;
  std::string role;
  std::string node;
  std::optional<double> expires;  // absolute unix seconds; nullopt: never
};

class TokenStore {
 public:
  static constexpr double kLastUsedResolution = 60;  // seconds
  static constexpr std::string_view kPrefix = "bft_";

  static Result<std::unique_ptr<TokenStore>> Open(std::shared_ptr<Database> db);

  // Stores the token and returns its secret (the only time it exists outside the caller's hands).
  // Conflict when a live token has that name.
  Result<std::string> Create(const NewToken& token, double now);
  // Live and revoked tokens, by name; revoked ones only when `include_revoked`.
  Result<std::vector<StoredToken>> List(bool include_revoked = false);
  // NotFound when there is no live token of that name.
  Status Revoke(const std::string& name, double now);

  // The token a presented secret belongs to. Unauthenticated with the reason (for the log, never the
  // client): "not a stored token", "unknown token id", "token <name> revoked", "token <name> expired".
  // The hash is compared in constant time. Updates last_used when it is older than kLastUsedResolution.
  Result<StoredToken> Authenticate(std::string_view secret, double now);

  // SHA-256(salt || secret), lowercase hex; exposed for tests.
  static std::string SaltedHash(std::string_view salt_hex, std::string_view secret);

 private:
  explicit TokenStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}

  std::shared_ptr<Database> db_;
};

}  // namespace buildfarm::scheduler
