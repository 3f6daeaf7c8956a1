#include "scheduler/server/auth.h"

#include <openssl/crypto.h>

#include <chrono>

namespace buildfarm::scheduler {

TokenTable::TokenTable(std::vector<TokenConfig> tokens, TokenStore* store, std::function<double()> clock)
    : tokens_(std::move(tokens)), store_(store), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
  }
}

bool TokenTable::IsConfigToken(std::string_view name) const {
  for (const TokenConfig& token : tokens_) {
    if (token.name == name) return true;
  }
  return false;
}

Result<Principal> TokenTable::Authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) {
    return Status(StatusCode::kUnauthenticated, "missing bearer token");
  }
  const std::string digest = Sha256Hex(header.substr(kBearer.size()));
  // Compare against every entry, so the time taken does not depend on which one matches.
  const TokenConfig* match = nullptr;
  for (const TokenConfig& token : tokens_) {
    if (token.sha256.size() == digest.size() &&
        CRYPTO_memcmp(token.sha256.data(), digest.data(), digest.size()) == 0 && match == nullptr) {
      match = &token;
    }
  }
  if (match != nullptr) return Principal{match->name, match->role, match->node, match->claims};
  if (store_ == nullptr) return Status(StatusCode::kUnauthenticated, "unknown token");
  auto stored = store_->Authenticate(header.substr(kBearer.size()), clock_());
  if (!stored.ok()) {
    if (stored.status().code() != StatusCode::kUnauthenticated) return stored.status();
    return Status(StatusCode::kUnauthenticated, "unknown token (" + stored.status().message() + ")");
  }
  std::optional<Role> role = ParseRole(stored->role);
  if (!role) return Status(StatusCode::kUnauthenticated, "token " + stored->name + " has unknown role " + stored->role);
  return Principal{stored->name, *role, stored->node, {}};
}

Status Authorize(const Principal& who, Access access, std::string_view node) {
  if (who.role == Role::kAdmin) return Status::Ok();
  if (who.role == Role::kWebhook) {
    if (access == Access::kWebhook) return Status::Ok();
    return Status(StatusCode::kPermissionDenied, "role webhook may only deliver alerts to POST /api/v1/alertmanager");
  }
  switch (access) {
    case Access::kRead:
      if (who.role == Role::kViewer || who.role == Role::kOperator) return Status::Ok();
      return Status(StatusCode::kPermissionDenied, "role agent may only call the agent routes of its node");
    case Access::kOperate:
      if (who.role == Role::kOperator) return Status::Ok();
      return Status(StatusCode::kPermissionDenied,
                    std::string("role ") + RoleName(who.role) + " may not change jobs (needs operator or admin)");
    case Access::kAdmin:
      return Status(StatusCode::kPermissionDenied, std::string("role ") + RoleName(who.role) + " may not do this");
    case Access::kAnyAgent:
      if (who.role != Role::kAgent) return Status(StatusCode::kPermissionDenied, "only agents and admins may do this");
      return Status::Ok();
    case Access::kWebhook:
      return Status(StatusCode::kPermissionDenied, std::string("role ") + RoleName(who.role) + " may not deliver alerts");
    case Access::kAgent:
      if (who.role != Role::kAgent) return Status(StatusCode::kPermissionDenied, "only agents and admins may do this");
      if (who.node != node) {
        return Status(StatusCode::kPermissionDenied, "token of node " + who.node + " may not act for node " + std::string(node));
      }
      return Status::Ok();
  }
  return Status(StatusCode::kPermissionDenied, "forbidden");
}

}  // namespace buildfarm::scheduler
