// FieldRegexFilter: node_exporter's --collector.<name>.fields rule (vmstat, netstat), and the regex
// compilation every flag-given pattern shares.
//
// A field is kept when the pattern matches somewhere in its name, as Go's regexp.MatchString does
// (the default patterns anchor themselves with ^ and $). std::regex is slow and the field names of a
// /proc file never change, so each name's verdict is memoized. Matches() is thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/mutex.h"
#include "common/status.h"

namespace buildfarm::exporter {

// An empty pattern is "unset" (nullopt). An invalid one is an InvalidArgument naming --`flag`.
Result<std::optional<std::regex>> CompileFlagRegex(const std::string& flag, const std::string& pattern);

class FieldRegexFilter {
 public:
  // `flag` is the flag's name without dashes ("collector.vmstat.fields"), for the error message.
  static Result<std::unique_ptr<FieldRegexFilter>> Create(const std::string& flag, const std::string& pattern);

  bool Matches(std::string_view field) const;

 private:
  explicit FieldRegexFilter(std::optional<std::regex> pattern) : pattern_(std::move(pattern)) {}

  const std::optional<std::regex> pattern_;  // unset: every field matches
  mutable Mutex mutex_;
  mutable std::unordered_map<std::string, bool> memo_ GUARDED_BY(mutex_);
};

}  // namespace buildfarm::exporter
