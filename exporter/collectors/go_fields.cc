#include "exporter/collectors/go_fields.h"

#include <cstdint>

namespace buildfarm::exporter {

namespace {

// Length of the whitespace character at text[i] (0 when it is none), per Go's unicode.IsSpace over
// valid UTF-8; invalid bytes decode to U+FFFD, which is not a space.
std::size_t SpaceLength(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) -> unsigned { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
  unsigned c = byte(i);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == 0xC2 && (byte(i + 1) == 0x85 || byte(i + 1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && byte(i + 1) == 0x9A && byte(i + 2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && byte(i + 1) == 0x80) {
    unsigned last = byte(i + 2);
    // U+2000..U+200A, U+2028, U+2029, U+202F
    if ((last >= 0x80 && last <= 0x8A) || last == 0xA8 || last == 0xA9 || last == 0xAF) return 3;
  }
  if (c == 0xE2 && byte(i + 1) == 0x81 && byte(i + 2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && byte(i + 1) == 0x80 && byte(i + 2) == 0x80) return 3;  // U+3000
  return 0;
}

}  // namespace

std::vector<std::string_view> GoFields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t space;
    while (i < text.size() && (space = SpaceLength(text, i)) > 0) i += space;
    std::size_t start = i;
    while (i < text.size() && SpaceLength(text, i) == 0) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace buildfarm::exporter
