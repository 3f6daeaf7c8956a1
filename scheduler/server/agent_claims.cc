#include "scheduler/server/agent_claims.h"

#include <sstream>

namespace buildfarm::scheduler {
namespace {

std::string AllowedLabels(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return "none";
  std::string out;
  for (const auto& [key, value] : labels) out += (out.empty() ? "" : ", ") + key + "=" + value;
  return out;
}

std::string Number(std::int64_t value) { return std::to_string(value); }
std::string Number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

template <typename T>
std::optional<ClaimRefusal> OverLimit(const Principal& who, const char* key, T claimed, const std::optional<T>& limit) {
  if (!limit || claimed <= *limit) return std::nullopt;
  return ClaimRefusal{std::string("capacity/") + key, "token " + who.name + " may claim at most " + Number(*limit) +
                                                          " " + key + ", not " + Number(claimed)};
}

}  // namespace

std::optional<ClaimRefusal> CheckAgentClaims(const Principal& who, const NodeRecord& node) {
  if (who.role != Role::kAgent) return std::nullopt;
  const AgentClaimLimits& limits = who.claims;
  if (limits.labels) {
    for (const auto& [key, value] : node.labels) {
      auto allowed = limits.labels->find(key);
      if (allowed == limits.labels->end() || allowed->second != value) {
        return ClaimRefusal{"labels/" + key, "token " + who.name + " may not claim label " + key + "=" + value +
                                                 " (allowed: " + AllowedLabels(*limits.labels) + ")"};
      }
    }
  }
  if (auto refused = OverLimit(who, "cores", node.capacity.cores, limits.max_cores)) return refused;
  if (auto refused = OverLimit(who, "memory_bytes", node.capacity.memory_bytes, limits.max_memory_bytes)) return refused;
  return OverLimit(who, "disk_bytes", node.capacity.disk_bytes, limits.max_disk_bytes);
}

}  // namespace buildfarm::scheduler
