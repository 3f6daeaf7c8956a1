#include "exporter/procfs/sysfs_attribute.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm::exporter {

SysfsAttribute ReadSysfsAttribute(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SysfsAttribute{errno, {}};
  char buffer[kSysfsAttributeReadBytes];
  ssize_t n;
  do {
    n = ::read(fd, buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  int error = n < 0 ? errno : 0;
  ::close(fd);
  if (error != 0) return SysfsAttribute{error, {}};
  return SysfsAttribute{0, std::string(text::Trim(std::string_view(buffer, static_cast<std::size_t>(n))))};
}

SysfsAttribute ReadWholeSysfsFile(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SysfsAttribute{errno, {}};
  std::string contents;
  char buffer[4096];
  int error = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0) break;
    if (contents.size() + static_cast<std::size_t>(n) > max_bytes) {
      error = EFBIG;
      break;
    }
    contents.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (error != 0) return SysfsAttribute{error, {}};
  return SysfsAttribute{0, std::string(text::Trim(contents))};
}

bool IsAbsentAttributeError(int error) {
  return error == ENOENT || error == EACCES || error == EPERM || error == EINVAL || error == EOPNOTSUPP;
}

Result<SysfsAttributes> ReadRegularAttributes(const std::string& dir,
                                              const std::function<bool(std::string_view)>& wanted) {
  auto names = ListDirectory(dir);
  if (!names.ok()) return names.status();
  SysfsAttributes out;
  for (const std::string& name : *names) {
    if (!wanted(name)) continue;
    std::string path = JoinPath(dir, name);
    struct stat info;
    if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    SysfsAttribute attribute = ReadSysfsAttribute(path);
    if (attribute.error != 0) {
      if (IsAbsentAttributeError(attribute.error)) continue;
      return IoError("read " + path + ": " + std::strerror(attribute.error));
    }
    out.emplace_back(name, std::move(attribute.value));
  }
  return out;
}

namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return 99;
}

}  // namespace

bool GoUnderscoresOk(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  char saw = '^';
  std::size_t i = 0;
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

namespace {

// Go's ParseUint(s, 0, 64) on the unsigned part.
std::optional<std::uint64_t> ParseGoUnsigned(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view whole = s;
  unsigned base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  std::uint64_t value = 0;
  bool underscores = false;
  for (char c : s) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    int digit = DigitValue(c);
    if (digit >= static_cast<int>(base)) return std::nullopt;
    if (value > (UINT64_MAX - static_cast<std::uint64_t>(digit)) / base) return std::nullopt;
    value = value * base + static_cast<std::uint64_t>(digit);
  }
  if (underscores && !GoUnderscoresOk(whole)) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::int64_t> ParseGoInt64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  auto magnitude = ParseGoUnsigned(text);
  if (!magnitude) return std::nullopt;
  constexpr std::uint64_t kCutoff = std::uint64_t{1} << 63;
  if (!negative && *magnitude >= kCutoff) return std::nullopt;
  if (negative && *magnitude > kCutoff) return std::nullopt;
  if (negative) return *magnitude == kCutoff ? INT64_MIN : -static_cast<std::int64_t>(*magnitude);
  return static_cast<std::int64_t>(*magnitude);
}

std::optional<std::uint64_t> ParseGoUint64(std::string_view text) { return ParseGoUnsigned(text); }

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_invalid_run = false;
  std::size_t i = 0;
  while (i < s.size()) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    std::size_t length = 0;
    if (c < 0x80) {
      length = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
    }
    bool valid = length > 0 && i + length <= s.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (byte(i + k) & 0xC0) == 0x80;
    if (valid && length == 3) {  // no overlongs, no surrogates
      valid = !(c == 0xE0 && byte(i + 1) < 0xA0) && !(c == 0xED && byte(i + 1) > 0x9F);
    }
    if (valid && length == 4) {  // no overlongs, nothing above U+10FFFF
      valid = !(c == 0xF0 && byte(i + 1) < 0x90) && !(c == 0xF4 && byte(i + 1) > 0x8F);
    }
    if (valid) {
      out.append(s.substr(i, length));
      i += length;
      in_invalid_run = false;
    } else {
      if (!in_invalid_run) out += "\xEF\xBF\xBD";
      in_invalid_run = true;
      ++i;
    }
  }
  return out;
}

std::optional<std::uint64_t> ParseGoUint(std::string_view text, int base, int bits) {
  if (text.empty()) return std::nullopt;
  const std::uint64_t limit = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
  const auto radix = static_cast<std::uint64_t>(base);
  std::uint64_t value = 0;
  for (char c : text) {
    std::uint64_t digit = c >= '0' && c <= '9'   ? static_cast<std::uint64_t>(c - '0')
                          : c >= 'a' && c <= 'f' ? static_cast<std::uint64_t>(c - 'a' + 10)
                          : c >= 'A' && c <= 'F' ? static_cast<std::uint64_t>(c - 'A' + 10)
                                                 : radix;
    if (digit >= radix || value > (limit - digit) / radix) return std::nullopt;
    value = value * radix + digit;
  }
  return value;
}

Result<std::uint64_t> ParseSysfsUint64(std::string_view text) {
  std::string_view trimmed = text::Trim(text);
  std::optional<std::uint64_t> value;
  if (!trimmed.empty() && trimmed.front() != '+') value = text::ParseUint64(trimmed);
  if (!value) return ParseError("\"" + std::string(trimmed.substr(0, 64)) + "\" is not an unsigned decimal integer");
  return *value;
}

}  // namespace buildfarm::exporter
