#include "tests/support/prom_text.h"

#include <algorithm>

#include "common/prometheus_text_parser.h"

namespace buildfarm::testing {

std::string EscapeLabelValue(std::string_view value) { return EscapePromLabelValue(value); }

std::string PromSample::Key() const {
  std::string key = name;
  if (labels.empty()) return key;
  key.push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) key.push_back(',');
    key += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
  }
  key.push_back('}');
  return key;
}

std::string PromSample::Label(std::string_view label_name) const {
  for (const auto& [k, v] : labels) {
    if (k == label_name) return v;
  }
  return "";
}

std::map<std::string, PromSample> PromExposition::ByKey() const {
  std::map<std::string, PromSample> out;
  for (const auto& sample : samples) out.emplace(sample.Key(), sample);
  return out;
}

std::optional<PromExposition> ParsePromText(std::string_view text, std::string* error) {
  auto document = ParsePrometheusText(text);
  if (!document.ok()) {
    *error = document.status().message();
    return std::nullopt;
  }
  PromExposition out;
  for (auto& parsed : document->samples) {
    PromSample sample;
    sample.name = std::move(parsed.name);
    sample.labels = std::move(parsed.labels);
    std::sort(sample.labels.begin(), sample.labels.end());
    sample.value_text = std::move(parsed.value_text);
    sample.value = parsed.value;
    out.samples.push_back(std::move(sample));
  }
  for (auto& [name, header] : document->headers) {
    // Trailing blanks of a HELP text are dropped, as this helper always did (golden files hold none).
    if (header.help_line != 0) out.help[name] = header.help.substr(0, header.help.find_last_not_of(' ') + 1);
    if (header.type_line != 0) out.type[name] = header.type;
  }
  return out;
}

}  // namespace buildfarm::testing
