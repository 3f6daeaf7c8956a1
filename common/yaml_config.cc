#include "common/yaml_config.h"

#include "common/text.h"

namespace buildfarm::yaml_config {

Status KeyError(std::string_view source, const std::string& key, const std::string& what) {
  return InvalidArgument(std::string(source) + ": " + key + ": " + what);
}

Status CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed, std::string_view source,
                 const std::string& prefix) {
  if (!map.IsMap()) {
    return KeyError(source, prefix.empty() ? "(document)" : prefix.substr(0, prefix.size() - 1), "want a mapping");
  }
  for (const auto& entry : map) {
    std::string key = entry.first.as<std::string>();
    if (allowed.count(key) == 0) return KeyError(source, prefix + key, "unknown key");
  }
  return Status::Ok();
}

Status ReadPositiveDuration(const YAML::Node& node, std::string_view source, const std::string& key, double* out) {
  if (!node) return Status::Ok();
  auto seconds = text::ParseDurationSeconds(node.as<std::string>());
  if (!seconds || *seconds <= 0) return KeyError(source, key, "want a positive duration such as 15s");
  *out = *seconds;
  return Status::Ok();
}

}  // namespace buildfarm::yaml_config
