// Checks an agent's registration against its token's claim limits (AgentClaimLimits in config.h): the
// labels it may carry and the most capacity it may claim. This is what stops a job that stole its
// node's token from re-registering the node as, say, `gpu=true` with 512 cores to attract other teams'
// work. Admin tokens are not limited. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "scheduler/server/auth.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

struct ClaimRefusal {
  std::string field;    // "labels/gpu", "capacity/cores"
  std::string message;  // names the token, the claim and what its limit allows
};

// nullopt when `who` may register `node` as claimed.
std::optional<ClaimRefusal> CheckAgentClaims(const Principal& who, const NodeRecord& node);

}  // namespace buildfarm::scheduler
