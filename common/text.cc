#include "common/text.h"

#include <charconv>
#include <cmath>

namespace buildfarm::text {

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool LineCursor::Next(std::string_view& line) {
  if (start_ >= text_.size()) return false;
  std::size_t end = text_.find('\n', start_);
  if (end == std::string_view::npos) end = text_.size();
  line = text_.substr(start_, end - start_);
  start_ = end + 1;
  ++line_number_;
  return true;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) out.push_back(line);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

template <typename T>
static std::optional<T> ParseInteger(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  T value{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> ParseUint64(std::string_view s) { return ParseInteger<std::uint64_t>(s); }
std::optional<std::int64_t> ParseInt64(std::string_view s) { return ParseInteger<std::int64_t>(s); }

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseDurationSeconds(std::string_view s) {
  struct Unit { std::string_view suffix; double seconds; };
  static constexpr Unit kUnits[] = {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  for (const Unit& unit : kUnits) {
    if (s.size() > unit.suffix.size() && s.substr(s.size() - unit.suffix.size()) == unit.suffix) {
      std::string_view number = s.substr(0, s.size() - unit.suffix.size());
      // "5ms" must not be read as 5 minutes of "5m" followed by "s".
      if (unit.suffix == "s" && !number.empty() && number.back() == 'm') continue;
      auto value = ParseDouble(number);
      if (!value || *value < 0 || !std::isfinite(*value)) return std::nullopt;
      return *value * unit.seconds;
    }
  }
  return std::nullopt;
}

}  // namespace buildfarm::text
