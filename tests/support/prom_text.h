// The Prometheus text exposition format (0.0.4) for tests that compare exporters: a view over
// common/prometheus_text_parser.h (the parser the textfile collector uses) that turns
// `name{label="value",...} value [timestamp]` lines into samples with their labels sorted, and
// records the # HELP and # TYPE lines. It reports the first malformed line.
// Stateless functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace buildfarm::testing {

struct PromSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // sorted by label name
  std::string value_text;                                   // as written, e.g. "1.5e+06"
  double value = 0;

  // Canonical identity: name{a="1",b="2"} with sorted labels, escaped as in the text format.
  std::string Key() const;
  // The value of one label, or empty.
  std::string Label(std::string_view label_name) const;
};

struct PromExposition {
  std::vector<PromSample> samples;         // in input order
  std::map<std::string, std::string> help;  // family name -> HELP text (unescaped)
  std::map<std::string, std::string> type;  // family name -> counter, gauge, ...

  // Samples keyed by PromSample::Key(); a key seen twice keeps the first.
  std::map<std::string, PromSample> ByKey() const;
};

// Parses `text`; nullopt with `error` ("line 12: ...") when a line is malformed.
std::optional<PromExposition> ParsePromText(std::string_view text, std::string* error);

// Escapes a label value as the text format does (backslash, double quote, newline).
std::string EscapeLabelValue(std::string_view value);

}  // namespace buildfarm::testing
