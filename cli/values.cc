#include "cli/values.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/text.h"

namespace buildfarm::cli {

Result<std::int64_t> ParseByteSize(std::string_view text) {
  std::string_view number = text;
  std::string_view unit;
  std::size_t split = 0;
  while (split < text.size() && ((text[split] >= '0' && text[split] <= '9') || text[split] == '.')) ++split;
  number = text.substr(0, split);
  unit = text.substr(split);
  auto value = text::ParseDouble(number);
  if (number.empty() || !value || *value < 0) {
    return InvalidArgument("want a size such as 1073741824, 512Mi, 2Gi or 1G, got \"" + std::string(text) + "\"");
  }
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b') && unit != "b") unit.remove_suffix(1);
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1},          {"k", 1e3},        {"K", 1e3},        {"M", 1e6},        {"G", 1e9},
      {"T", 1e12},      {"P", 1e15},       {"Ki", 1024.0},    {"Mi", 1048576.0}, {"Gi", 1073741824.0},
      {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0}};
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    double bytes = std::round(*value * factor);
    if (bytes > 9.0e18) return InvalidArgument("size \"" + std::string(text) + "\" is too large");
    return static_cast<std::int64_t>(bytes);
  }
  return InvalidArgument("unknown unit in \"" + std::string(text) + "\" (want k, M, G, T, Ki, Mi, Gi or Ti)");
}

Result<std::pair<std::string, std::string>> ParseSelector(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgument("want LABEL=VALUE such as os=linux, got \"" + std::string(text) + "\"");
  }
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string HumanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
  std::size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  char buffer[32];
  if (unit == 0) {
    std::snprintf(buffer, sizeof buffer, "%.0f", bytes);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f%s", bytes, kUnits[unit]);
  }
  return buffer;
}

std::string HumanSeconds(double seconds) {
  char buffer[48];
  if (seconds < 1) {
    std::snprintf(buffer, sizeof buffer, "%.0fms", seconds * 1000);
  } else if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, seconds < 10 ? "%.1fs" : "%.0fs", seconds);
  } else if (seconds < 3600) {
    auto s = static_cast<long long>(seconds);
    std::snprintf(buffer, sizeof buffer, "%lldm%llds", s / 60, s % 60);
  } else {
    auto s = static_cast<long long>(seconds);
    std::snprintf(buffer, sizeof buffer, "%lldh%lldm", s / 3600, (s % 3600) / 60);
  }
  return buffer;
}

std::string Ellipsize(std::string_view text, std::size_t width) {
  if (text.size() <= width) return std::string(text);
  if (width <= 3) return std::string(text.substr(0, width));
  return std::string(text.substr(0, width - 3)) + "...";
}

std::string_view StateColor(std::string_view word) {
  static constexpr std::pair<std::string_view, std::string_view> kColors[] = {
      {"ready", "\033[32m"},     {"completed", "\033[32m"}, {"running", "\033[36m"},  {"assigned", "\033[36m"},
      {"queued", "\033[33m"},    {"blocked", "\033[33m"},   {"cordoned", "\033[33m"}, {"draining", "\033[33m"},
      {"down", "\033[31m"},      {"failed", "\033[31m"},    {"cancelled", "\033[35m"}};
  for (const auto& [name, color] : kColors) {
    if (name == word) return color;
  }
  return "";
}

std::string EscapeNonPrintable(std::string_view text, bool keep_line_breaks) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (keep_line_breaks && (c == '\n' || c == '\t')) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      // U+0080..U+009F (C1 controls, e.g. the one-byte CSI U+009B) act like ESC sequences on some terminals.
      const auto c1 = static_cast<unsigned char>(text[++i]);
      out += "\\u00";
      out += kHex[c1 >> 4];
      out += kHex[c1 & 15];
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& raw_rows, const TableStyle& style) {
  constexpr std::size_t kGap = 2;
  constexpr std::size_t kNarrowest = 4;
  // Cells hold server data (ids, commands, subjects): control characters are shown, never obeyed.
  std::vector<std::vector<std::string>> rows;
  rows.reserve(raw_rows.size());
  for (const auto& raw : raw_rows) {
    std::vector<std::string>& row = rows.emplace_back();
    for (const std::string& cell : raw) row.push_back(EscapeNonPrintable(cell));
  }
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto total = [&widths] {
    std::size_t sum = widths.empty() ? 0 : kGap * (widths.size() - 1);
    for (std::size_t w : widths) sum += w;
    return sum;
  };
  while (style.max_width > 0 && total() > style.max_width) {
    auto widest = std::max_element(widths.begin(), widths.end());
    if (*widest <= kNarrowest) break;
    --*widest;  // one at a time, so the widest columns end up sharing the cut
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string cell = Ellipsize(row[i], widths[i]);
      std::size_t pad = i + 1 < row.size() ? widths[i] - cell.size() + kGap : 0;
      std::string_view color = !style.color ? "" : r == 0 ? "\033[1m" : StateColor(cell);
      line += color.empty() ? cell : std::string(color) + cell + "\033[0m";
      line += std::string(pad, ' ');
    }
    out << line << "\n";
  }
}

}  // namespace buildfarm::cli
