// ParseBoundedJson: parses JSON that came from outside (a request body) within limits on its shape,
// so a document of 60,000 nested objects is refused before anything recurses over it (nlohmann's
// copy, dump and comparison recurse once per level and would overflow a thread's stack), and a body
// of a million tiny values is refused before it becomes a parse tree dozens of times its size.
//
// The limits are checked by a linear pre-scan of the text that allocates nothing: a deep `[[[[...`
// body is refused after reading max_depth + 1 bytes, before any parse tree is built.
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace buildfarm {

struct JsonLimits {
  // Arrays and objects nested more deeply are refused. Every buildfarm document is far shallower
  // (message metadata is the deepest free-form value).
  int max_depth = 64;
  // Values (counted as containers plus separators) beyond this are refused: a 1 MiB job graph of
  // 1,000 jobs holds about 30,000.
  std::size_t max_values = 200000;
};

struct JsonShape {
  int depth = 0;            // deepest nesting of arrays and objects
  std::size_t values = 0;   // containers + commas + colons + 1, an upper bound of the values
};

// The shape of `text`, counting brackets and separators outside strings only. Stops as soon as a
// limit is passed, so the result then only says which one.
JsonShape ScanJsonShape(std::string_view text, const JsonLimits& limits = {});

// Parses `text`. Errors are InvalidArgument "<field>: ..." naming `field` and the limit: nested too
// deeply, too many values, or malformed JSON (with the byte offset).
Result<nlohmann::json> ParseBoundedJson(std::string_view text, std::string_view field = "body",
                                        const JsonLimits& limits = {});

}  // namespace buildfarm
