// A parser for the Prometheus text exposition format (0.0.4), as Prometheus' own expfmt reads it:
// `name{label="value",...} value [timestamp]` samples and `# HELP` / `# TYPE` lines, with escaped
// label values and HELP texts, NaN, +Inf and -Inf. It checks what expfmt checks (names, quoting,
// values, a second HELP or TYPE line for a name, a TYPE line after that family's samples, a label
// given twice) and reports the first problem as "line N: ...". The textfile collector serves what
// it returns; tests use it (through tests/support/prom_text.h) to compare exporters.
// Stateless functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace buildfarm {

struct PromTextSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // in input order, unescaped
  std::string value_text;                                   // as written, e.g. "1.5e+06"
  double value = 0;
  std::optional<std::int64_t> timestamp_ms;
  std::size_t line = 0;  // 1-based
};

struct PromTextFamilyHeader {
  std::string help;       // unescaped; empty when no HELP line
  std::string type;       // counter, gauge, histogram, summary or untyped; empty when no TYPE line
  std::size_t help_line = 0;  // 0: none
  std::size_t type_line = 0;
};

struct PromTextDocument {
  std::vector<PromTextSample> samples;                 // in input order
  std::map<std::string, PromTextFamilyHeader> headers;  // by family name, from HELP and TYPE lines

  // The family a sample name belongs to: `x` for x_bucket/x_sum/x_count when x is TYPEd histogram
  // (or x_sum/x_count when x is a summary), else the sample name itself.
  std::string FamilyOf(const std::string& sample_name) const;
};

// Parses a whole exposition; an error is "line N: what was wrong".
Result<PromTextDocument> ParsePrometheusText(std::string_view text);

// Escapes a label value as the text format does (backslash, double quote, newline).
std::string EscapePromLabelValue(std::string_view value);

}  // namespace buildfarm
