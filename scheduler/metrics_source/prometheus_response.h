// ParseInstantVector: reads the body of a Prometheus HTTP API instant query (/api/v1/query) whose
// result type is "vector", e.g.
//
//   {"status":"success","data":{"resultType":"vector",
//    "result":[{"metric":{"node":"n1"},"value":[1700000000.123,"0.25"]}]}}
//
// A pure function over text, so it is fuzzed on its own (fuzz/prometheus_response_fuzz.cc). Bodies
// that are not JSON, that report "status":"error", that hold another result type (matrix, scalar,
// string), or whose values are not Prometheus number strings are errors that say which. "NaN", "+Inf"
// and "-Inf" are valid values. Thread-safe: no shared state.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::scheduler {

struct InstantSample {
  std::map<std::string, std::string, std::less<>> labels;  // includes __name__ when Prometheus sends it
  double timestamp_seconds = 0;                             // Unix seconds, as Prometheus stamped the value
  double value = 0;
};

Result<std::vector<InstantSample>> ParseInstantVector(std::string_view body);

}  // namespace buildfarm::scheduler
