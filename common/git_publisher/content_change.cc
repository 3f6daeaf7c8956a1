#include "common/git_publisher/content_change.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace buildfarm::git_publisher {
namespace {

void DropTimestamps(nlohmann::json& value) {
  if (value.is_object()) {
    for (std::string_view key : kTimestampKeys) value.erase(std::string(key));
    for (auto& [key, child] : value.items()) DropTimestamps(child);
  } else if (value.is_array()) {
    for (auto& child : value) DropTimestamps(child);
  }
}

}  // namespace

bool ContentChanged(std::string_view previous, std::string_view next, bool heartbeat_file) {
  if (previous == next) return false;
  if (heartbeat_file) return true;
  nlohmann::json before = nlohmann::json::parse(previous, nullptr, /*allow_exceptions=*/false);
  nlohmann::json after = nlohmann::json::parse(next, nullptr, /*allow_exceptions=*/false);
  if (before.is_discarded() || after.is_discarded()) return true;
  DropTimestamps(before);
  DropTimestamps(after);
  return before != after;
}

}  // namespace buildfarm::git_publisher
