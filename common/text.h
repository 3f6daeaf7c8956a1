// Small, allocation-free helpers for parsing kernel text formats.
//
// Parsers built on these are pure functions over std::string_view. All functions are stateless
// and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace buildfarm::text {

// Splits on runs of spaces and tabs; no empty fields.
std::vector<std::string_view> Fields(std::string_view line);

// Splits on '\n'; a trailing newline does not produce an empty last line.
std::vector<std::string_view> Lines(std::string_view text);

// The lines of Lines(text), one at a time and without allocating, with 1-based line numbers for
// error messages:  LineCursor lines(text); std::string_view line; while (lines.Next(line)) {...}
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  bool Next(std::string_view& line);
  std::size_t line_number() const { return line_number_; }  // of the line Next returned last

 private:
  std::string_view text_;
  std::size_t start_ = 0;
  std::size_t line_number_ = 0;
};

std::string_view Trim(std::string_view s);

// Whole-string numeric parses: nullopt on any stray character, sign error or overflow.
std::optional<std::uint64_t> ParseUint64(std::string_view s);
std::optional<std::int64_t> ParseInt64(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

// "1.5s", "250ms", "2m", "1h", "30d": nullopt when malformed or negative.
std::optional<double> ParseDurationSeconds(std::string_view s);

}  // namespace buildfarm::text
