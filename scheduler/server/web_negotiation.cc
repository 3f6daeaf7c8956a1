#include "scheduler/server/web_negotiation.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "common/text.h"

namespace buildfarm::scheduler {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip;
  std::optional<bool> any;
  for (std::string_view entry : SplitOn(accept_encoding, ',')) {
    auto semicolon = entry.find(';');
    std::string coding = Lower(text::Trim(entry.substr(0, semicolon)));
    bool accepted = true;
    if (semicolon != std::string_view::npos) {
      for (std::string_view param : SplitOn(entry.substr(semicolon + 1), ';')) {
        param = text::Trim(param);
        if (param.size() < 2 || Lower(param.substr(0, 2)) != "q=") continue;
        std::string_view q = text::Trim(param.substr(2));
        // q=0, q=0.0, q=0.00, q=0.000 refuse; anything else (up to 1) accepts.
        accepted = !(q.starts_with("0") && q.find_first_not_of("0.") == std::string_view::npos);
      }
    }
    if (coding == "gzip" || coding == "x-gzip") gzip = accepted;
    if (coding == "*") any = accepted;
  }
  return gzip.value_or(any.value_or(false));
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
  };
  const std::string_view wanted = opaque(etag);
  std::string_view rest = text::Trim(if_none_match);
  if (rest == "*") return true;
  while (!rest.empty()) {
    rest = text::Trim(rest);
    if (rest.starts_with(",")) {
      rest.remove_prefix(1);
      continue;
    }
    if (rest.starts_with("W/")) rest.remove_prefix(2);
    if (!rest.starts_with("\"")) return false;
    auto close = rest.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (rest.substr(0, close + 1) == wanted) return true;
    rest.remove_prefix(close + 1);
  }
  return false;
}

}  // namespace buildfarm::scheduler
