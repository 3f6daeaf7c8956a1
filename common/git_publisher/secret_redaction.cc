#include "common/git_publisher/secret_redaction.h"

#include "common/git_publisher/secret_guard.h"

namespace buildfarm::git_publisher {

std::string RedactedMarker(const std::string& reason) { return "[redacted: " + reason + "]"; }

std::vector<Redaction> RedactLikelySecrets(nlohmann::json& entry) {
  std::vector<Redaction> redactions;
  if (!entry.is_object()) {
    if (auto finding = FindLikelySecret(entry.dump(2))) redactions.push_back({"", finding->reason});
    return redactions;
  }
  std::vector<std::string> removed;
  for (auto& [key, value] : entry.items()) {
    auto finding = FindLikelySecret(nlohmann::json{{key, value}}.dump(2));
    if (!finding) continue;
    redactions.push_back({key, finding->reason});
    if (value.is_string()) {
      value = RedactedMarker(finding->reason);
    } else {
      removed.push_back(key);
    }
  }
  for (const std::string& key : removed) entry.erase(key);
  if (redactions.empty()) return redactions;
  if (auto finding = FindLikelySecret(entry.dump(2))) redactions.push_back({"", finding->reason});
  return redactions;
}

}  // namespace buildfarm::git_publisher
