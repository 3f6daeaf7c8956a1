// Helpers shared by the YAML config readers (exporter, scheduler): error messages of the form
// "SOURCE: KEY: what was wrong", unknown-key checks and duration values.
//
// They are stateless and thread-safe. yaml-cpp throws on bad conversions; these helpers do not
// catch, so callers keep one try/catch for YAML::Exception at their parse entry point.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace buildfarm::yaml_config {

// InvalidArgument("SOURCE: KEY: WHAT").
Status KeyError(std::string_view source, const std::string& key, const std::string& what);

// Every key of `map` must be in `allowed`; `prefix` ("probes.", or "" at the top) names where the
// map sits. A node that is not a mapping is an error naming the prefix ("(document)" at the top).
Status CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed, std::string_view source,
                 const std::string& prefix);

// Reads a positive duration such as "15s" into *out; an absent node leaves *out as it is.
Status ReadPositiveDuration(const YAML::Node& node, std::string_view source, const std::string& key, double* out);

}  // namespace buildfarm::yaml_config
