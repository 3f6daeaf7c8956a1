#include "exporter/collectors/nfs_rpc_lines.h"

#include <string>

#include "exporter/collectors/go_fields.h"

namespace buildfarm::exporter {

namespace {

// bufio.Scanner's default buffer holds a line and its '\n' in 64 KiB.
constexpr std::size_t kMaxLineBytes = 64 * 1024 - 1;

}  // namespace

Result<std::vector<RpcStatLine>> SplitRpcStatLines(std::string_view text, std::string_view what) {
  std::vector<RpcStatLine> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    if (line.size() > kMaxLineBytes) {
      return ParseError(std::string(what) + " line " + std::to_string(lines.size() + 1) + " is longer than " +
                        std::to_string(kMaxLineBytes) + " bytes");
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> words = GoFields(line);
    if (words.size() < 2) {
      return ParseError("invalid " + std::string(what) + " line \"" + std::string(line.substr(0, 80)) +
                        "\": a key and at least one value are required");
    }
    RpcStatLine parsed{words[0], {}};
    parsed.words.assign(words.begin() + 1, words.end());
    lines.push_back(std::move(parsed));
  }
  return lines;
}

Result<std::vector<std::uint64_t>> ParseRpcValues(const std::vector<std::string_view>& words) {
  std::vector<std::uint64_t> values;
  values.reserve(words.size());
  for (std::string_view word : words) {
    std::uint64_t value = 0;
    bool ok = !word.empty();
    for (char c : word) {
      auto digit = static_cast<std::uint64_t>(c - '0');
      if (c < '0' || c > '9' || value > (UINT64_MAX - digit) / 10) {
        ok = false;
        break;
      }
      value = value * 10 + digit;
    }
    if (!ok) {
      return ParseError("\"" + std::string(word.substr(0, 40)) + "\" is not an unsigned 64-bit decimal integer");
    }
    values.push_back(value);
  }
  return values;
}

Result<std::vector<std::uint64_t>> CountedRpcValues(const std::vector<std::uint64_t>& values, std::uint64_t min_count,
                                                    std::string_view line) {
  std::uint64_t count = values.empty() ? 0 : values[0];
  if (values.empty() || count != values.size() - 1 || count < min_count) {
    return ParseError(std::string(line) + " line: the count (" + std::to_string(count) + ") must match the " +
                      std::to_string(values.empty() ? 0 : values.size() - 1) + " values that follow and be at least " +
                      std::to_string(min_count));
  }
  return std::vector<std::uint64_t>(values.begin() + 1, values.end());
}

}  // namespace buildfarm::exporter
