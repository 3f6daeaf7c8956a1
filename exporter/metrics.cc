#include "exporter/metrics.h"

#include <algorithm>

namespace buildfarm::exporter {

prometheus::MetricFamily& AddFamily(Families& out, std::string name, std::string help,
                                    prometheus::MetricType type) {
  prometheus::MetricFamily& family = out.emplace_back();
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddSample(prometheus::MetricFamily& family, std::vector<prometheus::ClientMetric::Label> labels,
               double value) {
  prometheus::ClientMetric& metric = family.metric.emplace_back();
  metric.label = std::move(labels);
  switch (family.type) {
    case prometheus::MetricType::Counter: metric.counter.value = value; break;
    case prometheus::MetricType::Gauge: metric.gauge.value = value; break;
    default: metric.untyped.value = value; break;
  }
}

void AddSample(prometheus::MetricFamily& family, LabelPairs labels, double value) {
  std::vector<prometheus::ClientMetric::Label> converted;
  converted.reserve(labels.size());
  for (const auto& [name, label_value] : labels) converted.push_back({std::string(name), std::string(label_value)});
  AddSample(family, std::move(converted), value);
}

void DropEmptyFamilies(Families& families, std::size_t first) {
  auto begin = families.begin() + static_cast<std::ptrdiff_t>(std::min(first, families.size()));
  families.erase(std::remove_if(begin, families.end(), [](const auto& family) { return family.metric.empty(); }),
                 families.end());
}

void AddSingle(Families& out, std::string name, std::string help, prometheus::MetricType type, double value) {
  AddSample(AddFamily(out, std::move(name), std::move(help), type), LabelPairs{}, value);
}

}  // namespace buildfarm::exporter
