// PluginArgs: the `args` mapping of one plugin in a profile's pluginConfig, as scalar strings, with typed
// readers that validate and name the offending argument.
//
// The YAML adapter (profile_yaml.cc) flattens yaml-cpp nodes into this map, so plugins never see yaml-cpp or its
// exceptions. Each plugin's Parse<Name>Args reads the keys it knows and calls CheckNoUnknown last.
// Thread safety: a PluginArgs value is not synchronized; plugins read it only while being created at
// startup, and concurrent const reads are safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace buildfarm::scheduler {

class PluginArgs {
 public:
  PluginArgs() = default;
  explicit PluginArgs(std::map<std::string, std::string, std::less<>> values) : values_(std::move(values)) {}

  void Set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }
  bool Has(std::string_view key) const { return values_.find(key) != values_.end(); }
  bool empty() const { return values_.empty(); }
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

  // Each reader leaves *out untouched (the documented default) when the key is absent, and returns an
  // InvalidArgument "argument <key>: ..." when the value is malformed or out of [min, max].
  Status ReadDouble(std::string_view key, double min, double max, double* out) const;
  Status ReadInt(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t* out) const;
  // Accepts "1.5s", "250ms", "2m" or a plain number of seconds; must be > 0.
  Status ReadDurationSeconds(std::string_view key, double* out) const;
  // Accepts a plain integer or a suffixed size: "512Mi", "10Gi", "1G", "2k".
  Status ReadBytes(std::string_view key, std::int64_t* out) const;
  Status ReadString(std::string_view key, std::string* out) const;

  // Fails naming the first key that is not in `known` (typos should stop startup, not be ignored).
  Status CheckNoUnknown(std::initializer_list<std::string_view> known) const;

 private:
  const std::string* Find(std::string_view key) const;
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace buildfarm::scheduler
