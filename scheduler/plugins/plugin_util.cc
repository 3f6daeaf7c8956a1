#include "scheduler/plugins/plugin_util.h"

#include <charconv>

namespace buildfarm::scheduler::plugins {

namespace {

// std::to_chars rather than snprintf: reasons are built for every rejected node on the hot path.
std::string_view WriteNumber(char (&buffer)[64], double value, int decimals) {
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (error != std::errc()) return "?";
  std::string_view s(buffer, static_cast<std::size_t>(end - buffer));
  if (s.find('.') != std::string_view::npos) {
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.') s.remove_suffix(1);
  }
  return s;
}

// Scales to the largest binary unit that keeps the value >= 1.
std::string_view ScaleBytes(std::int64_t bytes, double* value) {
  static constexpr std::string_view kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  *value = static_cast<double>(bytes);
  int unit = 0;
  while (std::fabs(*value) >= 1024 && unit < 5) {
    *value /= 1024;
    ++unit;
  }
  return kUnits[unit];
}

}  // namespace

std::string FormatNumber(double value, int decimals) {
  char buffer[64];
  return std::string(WriteNumber(buffer, value, decimals));
}

std::string FormatBytes(std::int64_t bytes) { return ReasonBuilder().Bytes(bytes).Take(); }

ReasonBuilder& ReasonBuilder::Number(double value, int decimals) {
  char buffer[64];
  text_ += WriteNumber(buffer, value, decimals);
  return *this;
}

ReasonBuilder& ReasonBuilder::Integer(std::int64_t value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  text_.append(buffer, error == std::errc() ? end : buffer);
  return *this;
}

ReasonBuilder& ReasonBuilder::Bytes(std::int64_t bytes) {
  double value = 0;
  std::string_view unit = ScaleBytes(bytes, &value);
  Number(value, 1);
  text_ += unit;
  return *this;
}

}  // namespace buildfarm::scheduler::plugins
