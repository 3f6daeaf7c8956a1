// The Prometheus text exposition format (version 0.0.4) for prometheus-cpp MetricFamily values.
//
// prometheus-cpp's TextSerializer prints doubles with 16 significant digits, so large counters do
// not survive the round trip (2^64-1 comes back as 18446744073709550000), and it does not escape
// HELP text. This writer formats numbers exactly as Go's client does (shortest round-trip form,
// strconv 'g' with precision -1), so the same input gives the same text as node_exporter, and it
// escapes HELP and label values as the format requires. Stateless and thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace buildfarm {

inline constexpr const char* kPrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Appends `value` as Go's strconv.FormatFloat(value, 'g', -1, 64) does, with NaN, +Inf and -Inf.
void AppendPrometheusDouble(std::string& out, double value);

// Appends every family: HELP, TYPE, then each sample (histograms and summaries expanded).
void AppendPrometheusText(std::string& out, const std::vector<prometheus::MetricFamily>& families);
std::string SerializePrometheusText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace buildfarm
