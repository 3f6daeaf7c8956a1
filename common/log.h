// Structured logging: one logfmt line per event on stderr.
//
//   ts=2026-11-26T23:59:01.123Z level=info msg="listening" address=127.0.0.1:9100
//
// A Logger is safe to use from any thread: each line is written with a single write(2). Values are
// quoted when they contain spaces, quotes or '='. Never pass a token or secret as a field.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace buildfarm {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Accepts debug, info, warn, error.
Result<LogLevel> ParseLogLevel(std::string_view name);

class Logger {
 public:
  using Field = std::pair<std::string_view, std::string_view>;

  explicit Logger(LogLevel min_level = LogLevel::kInfo, int fd = 2) : min_level_(min_level), fd_(fd) {}

  void set_level(LogLevel level) { min_level_ = level; }
  bool enabled(LogLevel level) const { return level >= min_level_; }

  void Log(LogLevel level, std::string_view message, std::initializer_list<Field> fields = {}) const;
  void Debug(std::string_view m, std::initializer_list<Field> f = {}) const { Log(LogLevel::kDebug, m, f); }
  void Info(std::string_view m, std::initializer_list<Field> f = {}) const { Log(LogLevel::kInfo, m, f); }
  void Warn(std::string_view m, std::initializer_list<Field> f = {}) const { Log(LogLevel::kWarn, m, f); }
  void Error(std::string_view m, std::initializer_list<Field> f = {}) const { Log(LogLevel::kError, m, f); }

 private:
  LogLevel min_level_;
  int fd_;
};

}  // namespace buildfarm
