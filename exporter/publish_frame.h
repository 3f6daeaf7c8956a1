// The frames buildfarm-exporter and its publishing child (buildfarm-exporter-publish --serve-parent)
// exchange over a Unix stream socketpair, so that the scrape-serving process never maps libgit2:
//
//   4-byte big-endian payload length | 1 type byte | payload
//
//   child -> parent  'D' (empty)      build the status document now
//                    'M' metrics text the child's buildfarm_publish_* families after a round
//   parent -> child  'd' JSON         the status document
//                    'e' message      why there is no document this time
//
// Either side treats a bad frame (unknown type, payload above kMaxFramePayload) as a broken peer: an
// error it logs, never a crash; the parent then restarts the child. The parent only serves metrics
// text that passes CheckPublishMetricsText, so a confused child cannot break /metrics.
//
// TakeFrame, EncodeFrame and CheckPublishMetricsText are pure and thread-safe. A FrameChannel belongs to
// one thread at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace buildfarm::exporter {

enum class FrameType : char {
  kDocumentRequest = 'D',
  kMetrics = 'M',
  kDocument = 'd',
  kDocumentError = 'e',
};

struct Frame {
  FrameType type = FrameType::kDocumentRequest;
  std::string payload;
};

// A status document is a few hundred bytes and the metrics text a few KiB; 1 MiB bounds what a
// broken peer can make the other side buffer.
inline constexpr std::size_t kMaxFramePayload = 1u << 20;
inline constexpr std::size_t kFrameHeaderBytes = 5;

std::string EncodeFrame(FrameType type, std::string_view payload);

// Removes one whole frame from the front of `buffer` and returns it; nullopt when `buffer` holds only
// part of a frame. A ParseError names what is wrong (the caller drops the connection).
Result<std::optional<Frame>> TakeFrame(std::string& buffer);

// OK when every line of `text` is empty, a "# HELP"/"# TYPE" line of a buildfarm_publish_ family, or a
// buildfarm_publish_ sample: what the child may add to the exporter's /metrics.
Status CheckPublishMetricsText(std::string_view text);

// One end of the socketpair (owned: closed by the destructor). Writes never raise SIGPIPE; both
// directions take a timeout so that a stuck peer cannot hang the other side.
class FrameChannel {
 public:
  explicit FrameChannel(int fd) : fd_(fd) {}
  ~FrameChannel();
  FrameChannel(const FrameChannel&) = delete;
  FrameChannel& operator=(const FrameChannel&) = delete;

  int fd() const { return fd_; }

  Status Send(FrameType type, std::string_view payload, double timeout_seconds);
  // The next frame. kUnavailable when the peer closed the socket, kTimeout after `timeout_seconds`,
  // kParseError for a bad frame. With `wake_fd` >= 0, returns kUnavailable "woken" as soon as that fd
  // becomes readable (the parent's stop pipe).
  Result<Frame> Receive(double timeout_seconds, int wake_fd = -1);

 private:
  int fd_;
  std::string buffer_;  // bytes read past the last whole frame
};

}  // namespace buildfarm::exporter
