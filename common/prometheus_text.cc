#include "common/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace buildfarm {
namespace {

void AppendEscaped(std::string& out, const std::string& text, bool escape_quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void AppendLabels(std::string& out, const std::vector<prometheus::ClientMetric::Label>& labels,
                  const char* extra_name = nullptr, const std::string* extra_value = nullptr) {
  if (labels.empty() && extra_name == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& label : labels) {
    if (!first) out += ',';
    first = false;
    out += label.name;
    out += "=\"";
    AppendEscaped(out, label.value, true);
    out += '"';
  }
  if (extra_name != nullptr) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += *extra_value;
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string& out, const std::string& name, const char* suffix,
                  const prometheus::ClientMetric& metric, double value, const char* extra_name = nullptr,
                  const std::string* extra_value = nullptr) {
  out += name;
  if (suffix != nullptr) out += suffix;
  AppendLabels(out, metric.label, extra_name, extra_value);
  out += ' ';
  AppendPrometheusDouble(out, value);
  if (metric.timestamp_ms != 0) {
    out += ' ';
    out += std::to_string(metric.timestamp_ms);
  }
  out += '\n';
}

std::string DoubleText(double value) {
  std::string text;
  AppendPrometheusDouble(text, value);
  return text;
}

const char* TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Histogram: return "histogram";
    default: return "untyped";
  }
}

}  // namespace

void AppendPrometheusDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (value == 0) {
    out += std::signbit(value) ? "-0" : "0";
    return;
  }
  // Most samples are small whole numbers (counts, states): print them directly.
  if (std::fabs(value) < 1e6 && value == std::trunc(value)) {
    char integer[16];
    auto [end, ec] = std::to_chars(integer, integer + sizeof integer, static_cast<long long>(value));
    out.append(integer, static_cast<std::size_t>(end - integer));
    return;
  }
  // Shortest round-trip digits in scientific form, e.g. "1.8446744073709552e+19".
  char sci[64];
  auto [sci_end, ec] = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
  if (ec != std::errc()) {
    out += "NaN";
    return;
  }
  std::string_view text(sci, static_cast<std::size_t>(sci_end - sci));
  if (text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  auto e = text.find('e');
  char digit_buffer[32];
  std::size_t digit_count = 0;
  for (char c : text.substr(0, e)) {
    if (c != '.') digit_buffer[digit_count++] = c;
  }
  std::string_view digits(digit_buffer, digit_count);
  int exponent = 0;
  std::string_view exponent_text = text.substr(e + 1);
  if (!exponent_text.empty() && exponent_text.front() == '+') exponent_text.remove_prefix(1);
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  // strconv's 'g' with shortest precision switches to exponent form below 1e-4 and from 1e6 up
  // (it compares against a fixed precision of 6, not the digit count).
  if (exponent < -4 || exponent >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    int magnitude = std::abs(exponent);
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
    return;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out += digits;
    return;
  }
  auto integer_digits = static_cast<std::size_t>(exponent + 1);
  if (digits.size() <= integer_digits) {
    out += digits;
    out.append(integer_digits - digits.size(), '0');
  } else {
    out += digits.substr(0, integer_digits);
    out += '.';
    out += digits.substr(integer_digits);
  }
}

void AppendPrometheusText(std::string& out, const std::vector<prometheus::MetricFamily>& families) {
  for (const auto& family : families) {
    out += "# HELP ";
    out += family.name;
    out += ' ';
    AppendEscaped(out, family.help, false);
    out += "\n# TYPE ";
    out += family.name;
    out += ' ';
    out += TypeName(family.type);
    out += '\n';
    for (const auto& metric : family.metric) {
      switch (family.type) {
        case prometheus::MetricType::Counter:
          AppendSample(out, family.name, nullptr, metric, metric.counter.value);
          break;
        case prometheus::MetricType::Gauge:
          AppendSample(out, family.name, nullptr, metric, metric.gauge.value);
          break;
        case prometheus::MetricType::Histogram: {
          for (const auto& bucket : metric.histogram.bucket) {
            std::string le = DoubleText(bucket.upper_bound);
            AppendSample(out, family.name, "_bucket", metric, static_cast<double>(bucket.cumulative_count), "le", &le);
          }
          AppendSample(out, family.name, "_sum", metric, metric.histogram.sample_sum);
          AppendSample(out, family.name, "_count", metric, static_cast<double>(metric.histogram.sample_count));
          break;
        }
        case prometheus::MetricType::Summary: {
          for (const auto& quantile : metric.summary.quantile) {
            std::string q = DoubleText(quantile.quantile);
            AppendSample(out, family.name, nullptr, metric, quantile.value, "quantile", &q);
          }
          AppendSample(out, family.name, "_sum", metric, metric.summary.sample_sum);
          AppendSample(out, family.name, "_count", metric, static_cast<double>(metric.summary.sample_count));
          break;
        }
        default:
          AppendSample(out, family.name, nullptr, metric, metric.untyped.value);
          break;
      }
    }
  }
}

std::string SerializePrometheusText(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  out.reserve(32768);
  AppendPrometheusText(out, families);
  return out;
}

}  // namespace buildfarm
