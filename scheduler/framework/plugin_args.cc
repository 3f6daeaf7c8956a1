#include "scheduler/framework/plugin_args.h"

#include <cmath>
#include <limits>

#include "common/text.h"

namespace buildfarm::scheduler {
namespace {

Status ArgError(std::string_view key, const std::string& what, const std::string& value) {
  return InvalidArgument("argument " + std::string(key) + ": " + what + ", got \"" + value + "\"");
}

std::string FormatNumber(double v) {
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

const std::string* PluginArgs::Find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

Status PluginArgs::ReadDouble(std::string_view key, double min, double max, double* out) const {
  const std::string* raw = Find(key);
  if (raw == nullptr) return Status::Ok();
  auto value = text::ParseDouble(text::Trim(*raw));
  if (!value || !std::isfinite(*value)) return ArgError(key, "want a number", *raw);
  if (*value < min || *value > max) {
    return ArgError(key, "want a number in [" + FormatNumber(min) + ", " + FormatNumber(max) + "]", *raw);
  }
  *out = *value;
  return Status::Ok();
}

Status PluginArgs::ReadInt(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t* out) const {
  const std::string* raw = Find(key);
  if (raw == nullptr) return Status::Ok();
  auto value = text::ParseInt64(text::Trim(*raw));
  if (!value) return ArgError(key, "want an integer", *raw);
  if (*value < min || *value > max) {
    return ArgError(key, "want an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]", *raw);
  }
  *out = *value;
  return Status::Ok();
}

Status PluginArgs::ReadDurationSeconds(std::string_view key, double* out) const {
  const std::string* raw = Find(key);
  if (raw == nullptr) return Status::Ok();
  std::string_view s = text::Trim(*raw);
  auto seconds = text::ParseDouble(s);
  if (!seconds) seconds = text::ParseDurationSeconds(s);
  if (!seconds || !std::isfinite(*seconds) || *seconds <= 0) {
    return ArgError(key, "want a positive duration such as 60s", *raw);
  }
  *out = *seconds;
  return Status::Ok();
}

Status PluginArgs::ReadBytes(std::string_view key, std::int64_t* out) const {
  const std::string* raw = Find(key);
  if (raw == nullptr) return Status::Ok();
  std::string_view s = text::Trim(*raw);
  struct Suffix {
    std::string_view text;
    double factor;
  };
  static constexpr Suffix kSuffixes[] = {{"Ki", 1024.0}, {"Mi", 1024.0 * 1024}, {"Gi", 1024.0 * 1024 * 1024},
                                         {"Ti", 1024.0 * 1024 * 1024 * 1024}, {"k", 1e3}, {"K", 1e3},
                                         {"M", 1e6}, {"G", 1e9}, {"T", 1e12}};
  double factor = 1;
  for (const Suffix& suffix : kSuffixes) {
    if (s.size() > suffix.text.size() && s.substr(s.size() - suffix.text.size()) == suffix.text) {
      factor = suffix.factor;
      s.remove_suffix(suffix.text.size());
      break;
    }
  }
  auto number = text::ParseDouble(s);
  const double bytes = number ? *number * factor : -1;
  if (!number || !std::isfinite(bytes) || bytes < 0 ||
      bytes > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) {
    return ArgError(key, "want a non-negative size such as 10Gi", *raw);
  }
  *out = static_cast<std::int64_t>(bytes);
  return Status::Ok();
}

Status PluginArgs::ReadString(std::string_view key, std::string* out) const {
  const std::string* raw = Find(key);
  if (raw == nullptr) return Status::Ok();
  if (text::Trim(*raw).empty()) return ArgError(key, "want a non-empty string", *raw);
  *out = std::string(text::Trim(*raw));
  return Status::Ok();
}

Status PluginArgs::CheckNoUnknown(std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : values_) {
    bool found = false;
    for (std::string_view k : known) found = found || k == key;
    if (!found) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return InvalidArgument("argument " + key + ": unknown argument" +
                             (list.empty() ? " (this plugin takes none)" : " (known: " + list + ")"));
    }
  }
  return Status::Ok();
}

}  // namespace buildfarm::scheduler
