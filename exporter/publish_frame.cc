#include "exporter/publish_frame.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace buildfarm::exporter {
namespace {

constexpr std::string_view kMetricPrefix = "buildfarm_publish_";

bool KnownType(char type) {
  switch (static_cast<FrameType>(type)) {
    case FrameType::kDocumentRequest:
    case FrameType::kMetrics:
    case FrameType::kDocument:
    case FrameType::kDocumentError:
      return true;
  }
  return false;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
}

// "name", "name{a=\"x\",b=\"y\"}" followed by " VALUE" (and an optional timestamp).
bool IsSampleLine(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && IsNameChar(line[i])) ++i;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      std::size_t name_start = i;
      while (i < line.size() && IsNameChar(line[i])) ++i;
      if (i == name_start || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') return false;
      for (i += 2; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\') ++i;  // an escaped character, whichever it is
      }
      if (i >= line.size()) return false;
      ++i;  // the closing quote
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;  // the closing brace
  }
  if (i >= line.size() || line[i] != ' ') return false;
  std::string value(line.substr(i + 1));
  if (std::size_t space = value.find(' '); space != std::string::npos) value.resize(space);  // a timestamp
  if (value == "+Inf" || value == "-Inf" || value == "NaN") return true;
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  return !value.empty() && end == value.c_str() + value.size();
}

int RemainingMillis(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::chrono::steady_clock::time_point DeadlineIn(double seconds) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

std::string EncodeFrame(FrameType type, std::string_view payload) {
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  const auto size = static_cast<std::uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((size >> shift) & 0xff));
  frame.push_back(static_cast<char>(type));
  frame.append(payload);
  return frame;
}

Result<std::optional<Frame>> TakeFrame(std::string& buffer) {
  if (buffer.size() < kFrameHeaderBytes) return std::optional<Frame>();
  std::uint32_t size = 0;
  for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<unsigned char>(buffer[i]);
  const char type = buffer[4];
  if (!KnownType(type)) {
    return ParseError("frame type " + std::to_string(static_cast<unsigned char>(type)) + ": not one of D, M, d, e");
  }
  if (size > kMaxFramePayload) {
    return ParseError("frame length " + std::to_string(size) + ": above the limit of " +
                      std::to_string(kMaxFramePayload) + " bytes");
  }
  if (buffer.size() < kFrameHeaderBytes + size) return std::optional<Frame>();
  Frame frame{static_cast<FrameType>(type), buffer.substr(kFrameHeaderBytes, size)};
  buffer.erase(0, kFrameHeaderBytes + size);
  return std::optional<Frame>(std::move(frame));
}

Status CheckPublishMetricsText(std::string_view text) {
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty()) continue;
    bool ok = false;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      ok = line.substr(7).starts_with(kMetricPrefix);
    } else if (line.starts_with(kMetricPrefix)) {
      ok = IsSampleLine(line);
    }
    if (!ok) {
      return ParseError("metrics text line " + std::to_string(line_number) +
                        ": want a buildfarm_publish_ sample or its # HELP/# TYPE line");
    }
  }
  return Status::Ok();
}

FrameChannel::~FrameChannel() {
  if (fd_ >= 0) close(fd_);
}

Status FrameChannel::Send(FrameType type, std::string_view payload, double timeout_seconds) {
  if (payload.size() > kMaxFramePayload) return InvalidArgument("frame payload above the limit");
  const std::string frame = EncodeFrame(type, payload);
  const auto deadline = DeadlineIn(timeout_seconds);
  std::size_t sent = 0;
  while (sent < frame.size()) {
    ssize_t n = send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd writable{fd_, POLLOUT, 0};
      int ready = poll(&writable, 1, RemainingMillis(deadline));
      if (ready == 0) return Timeout("peer did not read a frame within " + std::to_string(timeout_seconds) + " s");
      continue;
    }
    return Unavailable(std::string("peer socket: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<Frame> FrameChannel::Receive(double timeout_seconds, int wake_fd) {
  const auto deadline = DeadlineIn(timeout_seconds);
  char chunk[16384];
  while (true) {
    auto frame = TakeFrame(buffer_);
    if (!frame.ok()) return frame.status();
    if (frame->has_value()) return std::move(**frame);
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int ready = poll(fds, wake_fd >= 0 ? 2 : 1, RemainingMillis(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return IoError(std::string("poll: ") + std::strerror(errno));
    if (ready == 0) return Timeout("no frame within " + std::to_string(timeout_seconds) + " s");
    if (wake_fd >= 0 && fds[1].revents != 0) return Unavailable("woken");
    ssize_t n = recv(fd_, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n == 0) return Unavailable("peer closed the socket");
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0) return Unavailable(std::string("peer socket: ") + std::strerror(errno));
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace buildfarm::exporter
