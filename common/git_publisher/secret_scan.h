// Building blocks of the secret guard's single pass (secret_guard.cc): character classes, a forward
// search that remembers its last answer, and the "looks random" test over windows that move forward.
//
// The guard tries every shape at every position. A shape that reads past its start (to the end of a
// key, a value or a line) asks a CachedSearch instead of scanning: when successive questions never move
// backwards, each CachedSearch reads each byte at most once, so the whole pass stays linear (issue 11:
// the old guard rescanned to the end of the line for every label; 1 MB of labels took 382 s).
//
// Internal to the git publisher library. Not thread-safe: FindLikelySecret makes its own per call.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace buildfarm::git_publisher::scan {

inline bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }
inline bool IsKeyChar(char c) { return IsWordChar(c) || c == '-'; }
inline bool IsUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
inline bool IsBase64Url(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
inline bool IsSlackChar(char c) { return IsAlnum(c) || c == '-'; }
inline bool IsTokenChar(char c) {
  return IsAlnum(c) || c == '_' || c == '-' || c == '+' || c == '/' || c == '=' || c == '.';
}
inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }
inline bool IsQuote(char c) { return c == '"' || c == '\''; }
inline bool IsLineEnd(char c) { return c == '\n' || c == '\r'; }
// Where a value written after `key:` or `key=` ends: a quote, a comma, a brace or the line end.
inline bool IsValueEnd(char c) { return IsQuote(c) || c == ',' || c == '}' || IsLineEnd(c); }
// What a URL's user and password may hold (RFC 3986 userinfo, without the quote that closes a string).
inline bool IsUserinfoChar(char c) {
  return IsAlnum(c) || std::string_view("-._~!$&()*+,;=:%").find(c) != std::string_view::npos;
}
inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool StartsWithAt(std::string_view text, std::size_t at, std::string_view prefix) {
  return text.size() - at >= prefix.size() && text.compare(at, prefix.size(), prefix) == 0;
}
// `prefix` is lower case.
inline bool StartsWithNoCaseAt(std::string_view text, std::size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[at + i]) != prefix[i]) return false;
  }
  return true;
}

// How many characters of the class follow `at`, counting no further than `limit` (bounded work).
template <bool (*InClass)(char)>
std::size_t CountUpTo(std::string_view text, std::size_t at, std::size_t limit) {
  std::size_t n = 0;
  while (n < limit && at + n < text.size() && InClass(text[at + n])) ++n;
  return n;
}

// The first position at or after `from` that `search` stops at; text.size() when there is none.
using SearchFn = std::size_t (*)(std::string_view text, std::size_t from);

template <bool (*Stop)(char)>
std::size_t ScanTo(std::string_view text, std::size_t from) {
  while (from < text.size() && !Stop(text[from])) ++from;
  return from;
}
template <bool (*InClass)(char)>
bool NotIn(char c) {
  return !InClass(c);
}
// The end of the run of `InClass` characters that starts at `from`.
template <bool (*InClass)(char)>
std::size_t RunEnd(std::string_view text, std::size_t from) {
  return ScanTo<NotIn<InClass>>(text, from);
}

// Answers again without reading when `from` lies between the last question and its answer: nothing
// was found in between, so the answer is the same.
class CachedSearch {
 public:
  CachedSearch(std::string_view text, SearchFn search) : text_(text), search_(search) {}
  std::size_t From(std::size_t from) {
    if (from < asked_ || from > answer_) {
      asked_ = from;
      answer_ = search_(text_, from);
    }
    return answer_;
  }

 private:
  std::string_view text_;
  SearchFn search_;
  std::size_t asked_ = 1;  // asked_ > answer_: nothing cached yet
  std::size_t answer_ = 0;
};

// Shannon entropy (bits per character) of text[begin, end), kept as character counts over a window
// that only moves forward, so a sequence of forward-moving windows costs their total advance. Moving
// the window only counts; the sum of count*log2(count) is brought up to date when asked, for the
// characters whose counts changed since.
class EntropyWindow {
 public:
  explicit EntropyWindow(std::string_view text) : text_(text) {}
  double BitsPerChar(std::size_t begin, std::size_t end) {
    if (begin < low_ || end < high_ || begin > high_) {
      while (low_ < high_) Count(text_[low_++], -1);  // start afresh; what is removed was added once
      low_ = high_ = begin;
    }
    while (high_ < end) Count(text_[high_++], +1);
    while (low_ < begin) Count(text_[low_++], -1);
    for (int i = 0; i < changed_count_; ++i) {
      const unsigned char c = changed_[i];
      sum_count_log_count_ += CountLogCount(counts_[c]) - CountLogCount(counted_before_[c]);
      is_changed_[c] = false;
    }
    changed_count_ = 0;
    if (low_ == high_) sum_count_log_count_ = 0;  // empty: drop rounding drift
    const double n = static_cast<double>(end - begin);
    return n == 0 ? 0 : std::log2(n) - sum_count_log_count_ / n;
  }

 private:
  static double CountLogCount(std::uint32_t count) {
    return count < 2 ? 0 : static_cast<double>(count) * std::log2(static_cast<double>(count));
  }
  void Count(char ch, int delta) {
    const auto c = static_cast<unsigned char>(ch);
    if (!is_changed_[c]) {
      is_changed_[c] = true;
      counted_before_[c] = counts_[c];
      changed_[changed_count_++] = c;
    }
    counts_[c] = static_cast<std::uint32_t>(static_cast<std::int64_t>(counts_[c]) + delta);
  }

  std::string_view text_;
  std::array<std::uint32_t, 256> counts_{};
  std::array<std::uint32_t, 256> counted_before_{};  // for changed characters: the count the sum holds
  std::array<bool, 256> is_changed_{};
  std::array<unsigned char, 256> changed_{};
  int changed_count_ = 0;
  double sum_count_log_count_ = 0;  // over characters, count * log2(count), as of the last question
  std::size_t low_ = 0;
  std::size_t high_ = 0;
};

// A credential-looking value: 20 or more token characters, letters and digits, at least 3.5 bits of
// entropy per character. One probe per shape, whose values move forward through the text.
class RandomnessProbe {
 public:
  explicit RandomnessProbe(std::string_view text)
      : token_run_end_(text, RunEnd<IsTokenChar>),
        next_letter_(text, ScanTo<IsAlpha>),
        next_digit_(text, ScanTo<IsDigit>),
        entropy_(text) {}
  bool LooksRandom(std::size_t begin, std::size_t end) {
    return end >= begin + 20 && token_run_end_.From(begin) >= end && next_letter_.From(begin) < end &&
           next_digit_.From(begin) < end && entropy_.BitsPerChar(begin, end) >= 3.5;
  }
  // The run of token characters that starts at `begin`.
  bool RandomRunAt(std::size_t begin) { return LooksRandom(begin, token_run_end_.From(begin)); }

 private:
  CachedSearch token_run_end_;
  CachedSearch next_letter_;
  CachedSearch next_digit_;
  EntropyWindow entropy_;
};

}  // namespace buildfarm::git_publisher::scan
