// Helpers for building prometheus::MetricFamily values in collectors.
//
// Collectors append whole families (one per metric name, never two with the same name) to the
// scrape's output; these helpers keep that terse. Families is a deque so that the reference
// AddFamily returns stays valid while more families are appended. Stateless and thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <deque>
#include <vector>

namespace buildfarm::exporter {

using Families = std::deque<prometheus::MetricFamily>;
using LabelPairs = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Appends an empty family and returns it; samples are added with AddSample.
prometheus::MetricFamily& AddFamily(Families& out, std::string name, std::string help,
                                    prometheus::MetricType type);

// Appends one sample; the value lands in the field that matches the family's type.
void AddSample(prometheus::MetricFamily& family, LabelPairs labels, double value);
void AddSample(prometheus::MetricFamily& family, std::vector<prometheus::ClientMetric::Label> labels,
               double value);

// Removes the families from index `first` on that have no samples: node_exporter serves none, and a
// collector that builds its families before knowing which devices it finds may leave some empty.
void DropEmptyFamilies(Families& families, std::size_t first = 0);

// A family with a single unlabelled sample.
void AddSingle(Families& out, std::string name, std::string help, prometheus::MetricType type, double value);

inline constexpr auto kGauge = prometheus::MetricType::Gauge;
inline constexpr auto kCounter = prometheus::MetricType::Counter;
inline constexpr auto kUntyped = prometheus::MetricType::Untyped;

}  // namespace buildfarm::exporter
