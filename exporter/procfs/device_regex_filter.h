// DeviceRegexFilter: node_exporter's --collector.<name>.device-exclude / device-include rule.
//
// A device is ignored when it matches the exclude pattern, or when an include pattern is set and
// it does not match it. Patterns are unanchored searches, as Go's regexp.MatchString is. Matching
// is memoized per device name (device sets are small and stable), so the regex engine runs once per
// new name, not on every scrape. Ignored() is thread-safe; DeviceFilterFlags is used from one
// thread at startup.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/flags.h"
#include "common/mutex.h"
#include "common/status.h"

namespace buildfarm::exporter {

class DeviceRegexFilter {
 public:
  // Empty patterns are unset. An invalid pattern is an error naming `flag_prefix`.
  static Result<std::unique_ptr<DeviceRegexFilter>> Create(const std::string& flag_prefix, const std::string& exclude,
                                                           const std::string& include);
  // One exclude pattern under its own flag name (--collector.netclass.ignored-devices and the like).
  static Result<std::unique_ptr<DeviceRegexFilter>> CreateIgnoring(const std::string& flag, const std::string& pattern);

  bool Ignored(std::string_view device) const;

 private:
  DeviceRegexFilter() = default;
  bool Evaluate(const std::string& device) const;

  std::optional<std::regex> exclude_;
  std::optional<std::regex> include_;
  mutable Mutex mutex_;
  mutable std::unordered_map<std::string, bool> memo_ GUARDED_BY(mutex_);
};

// The two flags, registered the way node_exporter names them. Unlike node_exporter 1.5 (which
// refuses to start), giving only --...device-include drops the default exclude instead of failing;
// both given explicitly is still an error.
struct DeviceFilterFlags {
  std::string prefix;  // "collector.diskstats"
  std::string exclude;
  std::string include;
  bool exclude_set = false;

  DeviceFilterFlags(std::string flag_prefix, std::string default_exclude)
      : prefix(std::move(flag_prefix)), exclude(std::move(default_exclude)) {}

  void Register(FlagSet& flags, const std::string& what);
  Result<std::unique_ptr<DeviceRegexFilter>> Build() const;
};

}  // namespace buildfarm::exporter
