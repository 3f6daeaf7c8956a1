#include "exporter/procfs/field_regex_filter.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kMaxMemoizedFields = 8192;  // /proc/net/snmp6 alone has ~100 names; bounds odd kernels

}  // namespace

Result<std::optional<std::regex>> CompileFlagRegex(const std::string& flag, const std::string& pattern) {
  if (pattern.empty()) return std::optional<std::regex>();
  try {
    return std::optional<std::regex>(std::regex(pattern, std::regex::ECMAScript | std::regex::optimize));
  } catch (const std::regex_error& e) {
    return InvalidArgument("flag --" + flag + ": invalid regular expression \"" + pattern + "\": " + e.what());
  }
}

Result<std::unique_ptr<FieldRegexFilter>> FieldRegexFilter::Create(const std::string& flag,
                                                                   const std::string& pattern) {
  auto compiled = CompileFlagRegex(flag, pattern);
  if (!compiled.ok()) return compiled.status();
  return std::unique_ptr<FieldRegexFilter>(new FieldRegexFilter(std::move(*compiled)));
}

bool FieldRegexFilter::Matches(std::string_view field) const {
  if (!pattern_) return true;
  std::string key(field);
  MutexLock lock(mutex_);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  if (memo_.size() >= kMaxMemoizedFields) memo_.clear();
  bool matches = std::regex_search(key, *pattern_);
  memo_.emplace(std::move(key), matches);
  return matches;
}

}  // namespace buildfarm::exporter
