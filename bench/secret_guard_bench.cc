// secret_guard_bench: FindLikelySecret over 1 MiB inputs of several shapes, against the guard it
// replaced (issue 11 item 4: each `token`, `secret` or `password` label rescanned to the end of the
// line, so 1 MB took 382 s). The target is 1 MiB in under 50 ms for every shape.
//
// For each shape the current guard runs --runs times on 1 MiB and the median CPU time of the thread is
// printed (and the wall time: on a shared machine it also counts waiting for a core). The old guard
// (kept below, verbatim, as the reference; it exists nowhere else) runs on 32 KiB and 64 KiB of the same
// shape, and its 1 MiB time is projected from the growth it showed between the two (a measured exponent,
// printed); --reference-full runs it on the whole 1 MiB instead (hours for the adversarial shapes).
// Both guards must give the same answer on every input (checked; the bench fails otherwise), since the
// shapes hold none of the patterns the new guard added. Single-threaded; not a test.
//
// Usage: secret_guard_bench [--runs N] [--bytes N] [--shape NAME] [--reference-full]
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/git_publisher/secret_guard.h"

namespace {

using buildfarm::git_publisher::FindLikelySecret;
using buildfarm::git_publisher::SecretFinding;

// The guard as it was before issue 11 (common/git_publisher/secret_guard.cc at 695e046).
namespace reference {

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

std::optional<SecretFinding> FindLikelySecret(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (auto reason = ShapeAt(text, i)) return SecretFinding{std::move(*reason), i};
  }
  return std::nullopt;
}

}  // namespace reference

std::string Repeat(std::string_view unit, std::size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() + unit.size() <= bytes) out += unit;
  return out;
}

// Base64 text (what an encoded blob looks like) from a fixed-seed generator.
std::string Base64Noise(std::size_t bytes) {
  const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::minstd_rand next(2026);
  std::string out;
  out.reserve(bytes);
  while (out.size() < bytes) out.push_back(alphabet[next() % alphabet.size()]);
  return out;
}

struct Shape {
  const char* name;
  std::function<std::string(std::size_t bytes)> make;
};

const std::vector<Shape>& Shapes() {
  static const std::vector<Shape> shapes = {
      // What the publisher usually sees: jobs.json-like documents, one field per line.
      {"json_jobs", [](std::size_t n) {
         return Repeat("  {\n    \"id\": \"build-4711\",\n    \"status\": \"completed\",\n"
                       "    \"command\": \"make -j8 test && ./deploy.sh --token-file /run/creds/t\",\n"
                       "    \"branch\": \"main\",\n    \"priority\": 5\n  },\n", n);
       }},
      {"prose", [](std::size_t n) { return Repeat("Our password policy asks for a token bucket and a secret store. ", n); }},
      // Adversarial: one line of labels, each of which the old guard followed to the line end.
      {"token_labels", [](std::size_t n) { return Repeat("token=", n); }},
      {"password_labels", [](std::size_t n) { return Repeat("password: x ", n); }},
      {"secret_key_run", [](std::size_t n) { return Repeat("secret", n); }},
      {"private_key_headers", [](std::size_t n) { return Repeat("-----BEGIN ", n); }},
      {"high_entropy_line", [](std::size_t n) { return Base64Noise(n); }},
      {"labelled_high_entropy", [](std::size_t n) { return "api_token=" + Base64Noise(n - 10); }},
  };
  return shapes;
}

double ThreadCpuMillis() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

struct Timing {
  double wall_ms = 0;
  double cpu_ms = 0;
};

Timing TimeOnce(const std::function<std::optional<SecretFinding>(std::string_view)>& guard, const std::string& text,
                std::optional<SecretFinding>* finding) {
  const double cpu_start = ThreadCpuMillis();
  const auto start = std::chrono::steady_clock::now();
  *finding = guard(text);
  const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return {wall, ThreadCpuMillis() - cpu_start};
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

bool SameAnswer(const std::optional<SecretFinding>& a, const std::optional<SecretFinding>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->reason == b->reason && a->offset == b->offset);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 11;
  std::size_t bytes = 1 << 20;
  bool reference_full = false;
  std::string only_shape;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--bytes" && i + 1 < argc) {
      bytes = static_cast<std::size_t>(std::max(1024L, std::atol(argv[++i])));
    } else if (arg == "--shape" && i + 1 < argc) {
      only_shape = argv[++i];
    } else if (arg == "--reference-full") {
      reference_full = true;
    } else {
      std::fprintf(stderr, "usage: secret_guard_bench [--runs N] [--bytes N] [--shape NAME] [--reference-full]\n");
      return 2;
    }
  }
  const auto current = [](std::string_view text) { return FindLikelySecret(text); };
  const auto old = [](std::string_view text) { return reference::FindLikelySecret(text); };
  // CPU time of this thread is the figure: on a shared machine wall time also counts waiting for a core.
  std::printf("new: %zu bytes, median of %d runs; old: median of 3 runs at 32 and 64 KiB, %s at %zu bytes\n\n",
              bytes, runs, reference_full ? "measured" : "projected with the measured exponent", bytes);
  std::printf("| shape | answer | new CPU ms | new wall ms | old CPU ms 32 KiB | old CPU ms 64 KiB | exponent | old CPU ms |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
  bool agree = true;
  for (const Shape& shape : Shapes()) {
    if (!only_shape.empty() && only_shape != shape.name) continue;
    const std::string text = shape.make(bytes);
    std::optional<SecretFinding> finding;
    std::vector<double> cpu;
    std::vector<double> wall;
    for (int r = 0; r < runs; ++r) {
      const Timing t = TimeOnce(current, text, &finding);
      cpu.push_back(t.cpu_ms);
      wall.push_back(t.wall_ms);
    }
    const std::string answer = finding ? finding->reason : "clean";

    std::optional<SecretFinding> old_finding;
    std::array<double, 2> small{};
    for (int k = 0; k < 2; ++k) {
      const std::string part = shape.make(std::size_t{32768} << k);
      std::optional<SecretFinding> part_new;
      std::vector<double> old_cpu;
      for (int r = 0; r < 3; ++r) old_cpu.push_back(TimeOnce(old, part, &old_finding).cpu_ms);
      small[k] = Median(old_cpu);
      TimeOnce(current, part, &part_new);
      agree = agree && SameAnswer(part_new, old_finding);
    }
    const double exponent = std::max(1.0, std::log2(small[1] / std::max(small[0], 1e-6)));
    double old_ms = small[1] * std::pow(static_cast<double>(bytes) / 65536.0, exponent);
    if (reference_full) {
      old_ms = TimeOnce(old, text, &old_finding).cpu_ms;
      agree = agree && SameAnswer(finding, old_finding);
    }
    std::printf("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |\n", shape.name, answer.c_str(), Median(cpu),
                Median(wall), small[0], small[1], exponent, old_ms);
    std::fflush(stdout);
  }
  if (!agree) {
    std::fprintf(stderr, "the new and the old guard disagree on some input\n");
    return 1;
  }
  return 0;
}
