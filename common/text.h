// Small, allocation-free helpers for parsing kernel text formats.
//
// Parsers built on these are pure functions over std::string_view. All functions are stateless
// and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace buildfarm::text {

// Splits on runs of spaces and tabs; no empty fields.
std::vector<std::string_view> Fields(std::string_view line);

// Splits on '\n'; a trailing newline does not produce an empty last line.
std::vector<std::string_view> Lines(std::string_view text);

std::string_view Trim(std::string_view s);

// Whole-string numeric parses: nullopt on any stray character, sign error or overflow.
std::optional<std::uint64_t> ParseUint64(std::string_view s);
std::optional<std::int64_t> ParseInt64(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

// "1.5s", "250ms", "2m", "1h": nullopt when malformed or negative.
std::optional<double> ParseDurationSeconds(std::string_view s);

}  // namespace buildfarm::text
