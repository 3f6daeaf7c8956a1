// Status and Result<T>: how every buildfarm module reports failure.
//
// No exception crosses a module boundary; a function that can fail returns a Status, or a Result<T>
// that holds either a value or a non-OK Status. Both are plain values and are safe to copy and move
// between threads; a single instance is not synchronized.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace buildfarm {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (a flag, a config key, a request body)
  kParseError,        // a file or payload did not have the expected format
  kNotFound,
  kIoError,           // the operating system refused or failed
  kTimeout,
  kUnavailable,       // a peer is down or not ready; retrying later may succeed
  kConflict,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "parse_error: /proc/meminfo line 3: ..." — for logs and error bodies.
  std::string ToString() const;

  // Prefixes the message with where it happened, keeping the code.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}          // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace buildfarm

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define BUILDFARM_RETURN_IF_ERROR(expr)            \
  do {                                             \
    ::buildfarm::Status bf_status_ = (expr);       \
    if (!bf_status_.ok()) return bf_status_;       \
  } while (0)
