#include "common/git_publisher/secret_guard.h"

#include <array>
#include <cctype>
#include <cmath>
#include <functional>

namespace buildfarm::git_publisher {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }
bool IsUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsTokenChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '+' || c == '/' || c == '=' || c == '.'; }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool StartsWithAt(std::string_view text, std::size_t at, std::string_view prefix, bool ignore_case) {
  if (text.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = text[at + i];
    char b = prefix[i];
    if (ignore_case ? Lower(a) != Lower(b) : a != b) return false;
  }
  return true;
}

// True when no word character precedes `at` (shapes must start a word).
bool WordStart(std::string_view text, std::size_t at) { return at == 0 || !IsWordChar(text[at - 1]); }

std::size_t RunLength(std::string_view text, std::size_t at, const std::function<bool(char)>& in_class) {
  std::size_t n = 0;
  while (at + n < text.size() && in_class(text[at + n])) ++n;
  return n;
}

double EntropyBitsPerChar(std::string_view value) {
  std::array<int, 256> counts{};
  for (char c : value) ++counts[static_cast<unsigned char>(c)];
  double bits = 0;
  for (int count : counts) {
    if (count == 0) continue;
    double p = static_cast<double>(count) / static_cast<double>(value.size());
    bits -= p * std::log2(p);
  }
  return bits;
}

// After a label ending at `at`: an optional closing quote, spaces, then ':' or '=', spaces and an
// optional opening quote. Returns the value (up to a quote, comma, brace or line end), or nullopt when
// no assignment follows the label.
std::optional<std::string_view> AssignedValue(std::string_view text, std::size_t at) {
  std::size_t i = at;
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) ++i;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i >= text.size() || (text[i] != ':' && text[i] != '=')) return std::nullopt;
  ++i;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) ++i;
  std::size_t start = i;
  while (i < text.size() && text[i] != '"' && text[i] != '\'' && text[i] != ',' && text[i] != '}' &&
         text[i] != '\n' && text[i] != '\r') {
    ++i;
  }
  std::string_view value = text.substr(start, i - start);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// Values that say there is no password rather than being one.
bool IsPlaceholder(std::string_view value) {
  if (value.empty()) return true;
  bool all_masks = true;
  for (char c : value) all_masks = all_masks && (c == '*' || c == 'x' || c == 'X' || c == '.');
  if (all_masks) return true;
  std::string lower;
  for (char c : value) lower += Lower(c);
  return lower == "null" || lower == "none" || lower == "~" || lower == "<redacted>" || lower == "redacted" ||
         lower == "[redacted]" || (lower.front() == '$' && lower.size() > 1);  // $ENV reference
}

// Label words that mark a value as a credential when it looks random. Longest first.
constexpr std::array<std::string_view, 6> kTokenLabels = {"access_key", "api_key", "apikey", "secret", "token",
                                                          "api-key"};

bool LooksRandom(std::string_view value) {
  if (value.size() < 20) return false;
  bool letters = false;
  bool digits = false;
  for (char c : value) {
    if (!IsTokenChar(c)) return false;
    letters = letters || std::isalpha(static_cast<unsigned char>(c)) != 0;
    digits = digits || std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  return letters && digits && EntropyBitsPerChar(value) >= 3.5;
}

std::optional<std::string> ShapeAt(std::string_view text, std::size_t i) {
  const char c = text[i];
  if ((c == 'p' || c == 'P') && StartsWithAt(text, i, "password", true)) {
    auto value = AssignedValue(text, i + 8);
    // A value with spaces in it is prose ("password: see the wiki"), not a password.
    if (value && !IsPlaceholder(*value) && value->find_first_of(" \t") == std::string_view::npos) return "password";
  }
  if (c == 'g' && WordStart(text, i)) {
    for (std::string_view prefix : {"ghp_", "gho_", "ghs_", "ghu_", "ghr_"}) {
      if (StartsWithAt(text, i, prefix, false) && RunLength(text, i + 4, IsAlnum) >= 36) return "github_token";
    }
    if (StartsWithAt(text, i, "github_pat_", false) && RunLength(text, i + 11, IsWordChar) >= 22) {
      return "github_token";
    }
  }
  if (c == 'A' && WordStart(text, i) && (StartsWithAt(text, i, "AKIA", false) || StartsWithAt(text, i, "ASIA", false))) {
    std::size_t run = RunLength(text, i + 4, IsUpperAlnum);
    if (run == 16) return "aws_access_key_id";
  }
  if ((c == 'a' || c == 'A' || c == 's' || c == 'S') &&
      (StartsWithAt(text, i, "aws_secret", true) || StartsWithAt(text, i, "secret_access_key", true))) {
    std::size_t label_end = i + RunLength(text, i, IsWordChar);
    auto value = AssignedValue(text, label_end);
    if (value && value->size() == 40 && RunLength(*value, 0, IsTokenChar) == 40) return "aws_secret_key";
  }
  if (c == 'x' && WordStart(text, i) && StartsWithAt(text, i, "xox", false) && i + 4 < text.size() &&
      std::string_view("abprs").find(text[i + 3]) != std::string_view::npos && text[i + 4] == '-') {
    auto slack_char = [](char ch) { return IsAlnum(ch) || ch == '-'; };
    if (RunLength(text, i + 5, slack_char) >= 10) return "slack_token";
  }
  if (c == '-' && StartsWithAt(text, i, "-----BEGIN ", false)) {
    std::size_t line_end = text.find('\n', i);
    std::string_view header = text.substr(i, line_end == std::string_view::npos ? std::string_view::npos : line_end - i);
    if (header.find("PRIVATE KEY-----") != std::string_view::npos) return "private_key";
  }
  for (std::string_view label : kTokenLabels) {
    if (Lower(c) != label.front() || !StartsWithAt(text, i, label, true)) continue;
    // The label may be the tail of a longer key (github_token, client_secret): go to the key's end.
    std::size_t label_end = i + label.size();
    label_end += RunLength(text, label_end, [](char ch) { return IsWordChar(ch) || ch == '-'; });
    auto value = AssignedValue(text, label_end);
    if (value && LooksRandom(*value)) return "labelled_token";
  }
  return std::nullopt;
}

}  // namespace

std::optional<SecretFinding> FindLikelySecret(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (auto reason = ShapeAt(text, i)) return SecretFinding{std::move(*reason), i};
  }
  return std::nullopt;
}

const std::vector<std::string>& SecretReasons() {
  static const std::vector<std::string> reasons = {"password",    "github_token", "aws_access_key_id", "aws_secret_key",
                                                   "slack_token", "private_key",  "labelled_token"};
  return reasons;
}

}  // namespace buildfarm::git_publisher
