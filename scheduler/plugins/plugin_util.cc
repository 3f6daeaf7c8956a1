#include "scheduler/plugins/plugin_util.h"

#include <charconv>

namespace buildfarm::scheduler::plugins {

std::string FormatNumber(double value, int decimals) {
  // std::to_chars rather than snprintf: reasons are built for every rejected node on the hot path.
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (error != std::errc()) return "?";
  std::string s(buffer, end);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string FormatBytes(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (std::fabs(value) >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  return FormatNumber(value, 1) + kUnits[unit];
}

}  // namespace buildfarm::scheduler::plugins
