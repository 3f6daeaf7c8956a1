// Value parsing and text formatting for build-cli: byte sizes with unit suffixes, label selectors,
// URL encoding, human-readable sizes and durations, and aligned text tables.
//
// Pure functions with no shared state; safe to call from any thread.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace buildfarm::cli {

// "1073741824", "512Mi", "2Gi", "1G", "1.5GiB", "100k": bytes. Decimal units (k, M, G, T, P) are
// powers of 1000, binary units (Ki, Mi, Gi, Ti, Pi) powers of 1024; a trailing "B" is allowed.
Result<std::int64_t> ParseByteSize(std::string_view text);

// "os=linux" -> {"os", "linux"}; the key must not be empty.
Result<std::pair<std::string, std::string>> ParseSelector(std::string_view text);

// Percent-encodes everything but unreserved characters, for one path segment or query value.
std::string UrlEncode(std::string_view text);

// 1536 -> "1.5Ki", 0 -> "0"; powers of 1024 with one decimal.
std::string HumanBytes(double bytes);
// 75 -> "1m15s", 3.2 -> "3.2s", 0.012 -> "12ms".
std::string HumanSeconds(double seconds);
// Shortens to at most `width` characters, ending with "..." when cut.
std::string Ellipsize(std::string_view text, std::size_t width);

// Shows control characters instead of sending them to the terminal: bytes below 0x20 and DEL become
// "\x1b"-style escapes and C1 controls (U+0080..U+009F) "\u009b"; with `keep_line_breaks`, newline
// and tab stay (a message body). Everything build-cli prints from server data goes through it.
std::string EscapeNonPrintable(std::string_view text, bool keep_line_breaks = false);

// How a table is drawn: `max_width` 0 means no limit (output to a pipe); `color` adds ANSI colors to
// the header (bold) and to cells that are a known state word (ready green, down red, ...).
struct TableStyle {
  std::size_t max_width = 0;
  bool color = false;
};

// The ANSI color for a state or status word ("ready", "failed", ...); "" when it has none.
std::string_view StateColor(std::string_view word);

// Prints rows as columns separated by two spaces; the first row is the header. Cells are escaped with
// EscapeNonPrintable. The last column
// is not padded, so long commands don't push trailing spaces. When the lines would be wider than
// style.max_width, the widest column is shortened (cells end with "..."), one character at a time,
// until they fit or every column is down to 4 characters.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const TableStyle& style = {});

}  // namespace buildfarm::cli
