// IsMetricNamePart: whether a name read from a kernel file (a /proc/vmstat field, a sockstat protocol)
// can be pasted into a Prometheus metric name as node_exporter does. Parsers reject anything else, so
// a garbled file becomes a clear parse error instead of an unservable metric. Pure; thread-safe.
#pragma once

#include <string_view>

namespace buildfarm::exporter {

inline bool IsMetricNamePart(std::string_view part) {
  if (part.empty()) return false;
  for (char c : part) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace buildfarm::exporter
