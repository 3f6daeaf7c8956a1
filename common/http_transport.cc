#include "common/http_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/text.h"
#include "common/tls_server.h"

namespace buildfarm::http_internal {
namespace {

using Clock = std::chrono::steady_clock;

int MillisUntil(Clock::time_point deadline) {
  if (deadline == Clock::time_point::max()) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

int PollOne(socket_t sock, short events, int timeout_ms, short* revents) {
  pollfd pfd{sock, events, 0};
  int n;
  do {
    n = ::poll(&pfd, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  *revents = pfd.revents;
  return n;
}

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, buf.data(), buf.size());
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf.data(), buf.size());
    port = ntohs(in6->sin6_port);
  }
  ip = buf.data();
}

// A socket stream whose reads stop at a deadline as well as at the per-receive timeout, with
// httplib's read buffering (its line reader asks for one byte at a time).
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, int read_timeout_ms, int write_timeout_ms)
      : sock_(sock), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  void SetDeadline(Clock::time_point deadline) { deadline_ = deadline; }
  // From now on bytes go through `ssl` (after its handshake); the stream does not own it.
  void UseTls(SSL* ssl) { ssl_ = ssl; }
  bool HasBuffered() const { return buffer_pos_ < buffer_end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0); }

  bool is_readable() const override {
    if (HasBuffered()) return true;
    return WaitFor(POLLIN);
  }

  // Waits for `events` up to the per-receive (or per-send) timeout and never past the deadline.
  bool WaitFor(short events) const {
    int timeout = events == POLLOUT ? write_timeout_ms_ : read_timeout_ms_;
    int until_deadline = MillisUntil(deadline_);
    if (until_deadline >= 0 && until_deadline < timeout) timeout = until_deadline;
    short revents = 0;
    return timeout > 0 && PollOne(sock_, events, timeout, &revents) > 0;
  }

  bool is_writable() const override {
    short revents = 0;
    if (PollOne(sock_, POLLOUT, write_timeout_ms_, &revents) <= 0) return false;
    if (revents & (POLLERR | POLLHUP)) return false;
    // A peer that closed its end reads as end-of-file; a pipelined request does not.
    if (PollOne(sock_, POLLIN, 0, &revents) > 0) {
      char byte;
      return ::recv(sock_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0;
    }
    return true;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (ssl_ != nullptr && buffer_pos_ >= buffer_end_) {
      // A TLS record may arrive in pieces: every wait inside it is bounded by the deadline too.
      ssize_t n = TlsRead(ssl_, buffer_.data(), buffer_.size(), [this](short events) { return WaitFor(events); });
      if (n <= 0) return n;
      buffer_pos_ = 0;
      buffer_end_ = static_cast<std::size_t>(n);
    }
    if (!HasBuffered()) {
      if (!is_readable()) return -1;
      ssize_t n;
      do {
        n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      buffer_pos_ = 0;
      buffer_end_ = static_cast<std::size_t>(n);
    }
    std::size_t take = std::min(size, buffer_end_ - buffer_pos_);
    std::memcpy(ptr, buffer_.data() + buffer_pos_, take);
    buffer_pos_ += take;
    return static_cast<ssize_t>(take);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    if (ssl_ != nullptr) return TlsWrite(ssl_, ptr, size, [this](short events) { return WaitFor(events); });
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
  }

  socket_t socket() const override { return sock_; }

 private:
  const socket_t sock_;
  const int read_timeout_ms_;
  const int write_timeout_ms_;
  Clock::time_point deadline_ = Clock::time_point::max();
  SSL* ssl_ = nullptr;
  std::array<char, 4096> buffer_{};
  std::size_t buffer_pos_ = 0;
  std::size_t buffer_end_ = 0;
};

// What the hooks of the request being served on this thread need to reach.
struct ConnectionState {
  DeadlineStream* stream = nullptr;
  bool close_after_response = false;
  WaitingConnections* waiting_table = nullptr;
  std::optional<WaitingConnections::Ticket> waiting;

  void StartWaiting() {
    if (!waiting) waiting = waiting_table->Enter(stream->socket());
  }
  void StopWaiting() {
    if (waiting) waiting_table->Leave(*waiting);
    waiting.reset();
  }
};
thread_local ConnectionState* t_connection = nullptr;
thread_local bool t_reject_busy = false;


// Answers a connection httplib will not serve, without blocking, and closes it.
void RefuseConnection(socket_t sock, std::string_view message) {
  std::string body = JsonError(message, "");
  std::string response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
                         "Retry-After: 1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  [[maybe_unused]] ssize_t sent = ::send(sock, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

std::string PeerAddress(socket_t sock) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  std::string ip;
  int port = 0;
  if (::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
  return ip;
}

// After refusing a request whose body it will not read, the server stops writing and reads (and drops) what
// the client is still sending for a short, bounded while before closing: closing at once would make the
// kernel reset the connection, and a client still writing its body would lose the answer with it.
void DrainBeforeClose(socket_t sock) {
  constexpr std::size_t kMaxDrainBytes = 4 << 20;
  const auto until = Clock::now() + std::chrono::seconds(2);
  ::shutdown(sock, SHUT_WR);
  std::array<char, 16384> sink{};
  std::size_t drained = 0;
  while (drained < kMaxDrainBytes && Clock::now() < until) {
    short revents = 0;
    if (PollOne(sock, POLLIN, std::max(1, MillisUntil(until)), &revents) <= 0) break;
    ssize_t n = ::recv(sock, sink.data(), sink.size(), 0);
    if (n <= 0) break;
    drained += static_cast<std::size_t>(n);
  }
}

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

}  // namespace

std::string JsonError(std::string_view message, std::string_view field) {
  auto quote = [](std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
    return out + "\"";
  };
  std::string body = "{\"error\":" + quote(message);
  if (!field.empty()) body += ",\"field\":" + quote(field);
  return body + "}\n";
}

bool KeyedLimiter::Admit(const std::string& key) {
  MutexLock lock(mu_);
  int& open = open_[key];
  if (max_per_key_ > 0 && open >= max_per_key_) return false;
  ++open;
  return true;
}

void KeyedLimiter::Release(const std::string& key) {
  MutexLock lock(mu_);
  auto it = open_.find(key);
  if (it == open_.end()) return;
  if (--it->second <= 0) open_.erase(it);
}

int KeyedLimiter::Count(const std::string& key) {
  MutexLock lock(mu_);
  auto it = open_.find(key);
  return it == open_.end() ? 0 : it->second;
}

WaitingConnections::Ticket WaitingConnections::Enter(int sock) {
  MutexLock lock(mu_);
  Ticket ticket = entries_.insert(entries_.end(), Entry{sock});
  ++waiting_;
  for (auto it = entries_.begin(); max_waiting_ > 0 && waiting_ > max_waiting_ && it != ticket; ++it) {
    if (it->shut_down) continue;
    ::shutdown(it->sock, SHUT_RDWR);
    it->shut_down = true;
    --waiting_;
  }
  return ticket;
}

void WaitingConnections::Leave(Ticket ticket) {
  MutexLock lock(mu_);
  if (!ticket->shut_down) --waiting_;
  entries_.erase(ticket);
}

int WaitingConnections::waiting() {
  MutexLock lock(mu_);
  return waiting_;
}

GuardedServer::GuardedServer(TransportLimits limits, KeyedLimiter& sources, WaitingConnections& waiting)
    : limits_(limits), sources_(sources), waiting_(waiting) {
  set_payload_max_length(limits_.max_body_bytes);
  set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return CheckHead(req, res); });
}

void GuardedServer::RejectWhileBusy(const std::function<void()>& task) {
  t_reject_busy = true;
  task();
  t_reject_busy = false;
}

void GuardedServer::MarkHandlerStarted() {
  if (t_connection != nullptr) t_connection->stream->SetDeadline(Clock::time_point::max());
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  if (t_reject_busy) {
    RefuseConnection(sock, "server busy: every connection slot is taken, retry shortly");
    return false;
  }
  const std::string source = PeerAddress(sock);
  if (!sources_.Admit(source)) {
    RefuseConnection(sock, "too many connections from " + source);
    return false;
  }
  const Clock::time_point opened = Clock::now();
  DeadlineStream stream(sock, static_cast<int>(read_timeout_sec_ * 1000 + read_timeout_usec_ / 1000),
                        static_cast<int>(write_timeout_sec_ * 1000 + write_timeout_usec_ / 1000));
  ConnectionState state{&stream, false, &waiting_, std::nullopt};
  t_connection = &state;
  // TLS: the handshake counts as waiting for the first request head and must end by the header deadline.
  SSL* ssl = nullptr;
  bool handshake_failed = false;
  if (tls_) {
    state.StartWaiting();
    stream.SetDeadline(opened + Millis(limits_.header_timeout_seconds));
    ssl = tls_->NewConnection(sock);
    handshake_failed = ssl == nullptr || !TlsAccept(ssl, [&stream](short events) { return stream.WaitFor(events); });
    if (!handshake_failed) stream.UseTls(ssl);
  }
  const auto setup_request = [ssl](httplib::Request& req) { req.ssl = ssl; };
  bool first = true;
  for (std::size_t count = handshake_failed ? 0 : keep_alive_max_count_; count > 0; --count) {
    // Wait for the next request's first byte, as httplib does between keep-alive requests, watching for stop().
    const Clock::time_point idle_until = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
    state.StartWaiting();
    bool ready = stream.HasBuffered();
    while (!ready && svr_sock_ != INVALID_SOCKET && Clock::now() < idle_until) {
      short revents = 0;
      ready = PollOne(sock, POLLIN, std::min(100, MillisUntil(idle_until)), &revents) > 0;
    }
    if (!ready || svr_sock_ == INVALID_SOCKET) break;
    stream.SetDeadline((first ? opened : Clock::now()) + Millis(limits_.header_timeout_seconds));
    first = false;
    state.close_after_response = false;
    bool connection_closed = false;
    bool served = process_request(stream, count == 1, connection_closed, setup_request);
    if (!served || connection_closed || state.close_after_response) break;
  }
  state.StopWaiting();
  t_connection = nullptr;
  if (state.close_after_response) DrainBeforeClose(sock);
  TlsClose(ssl);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  sources_.Release(source);
  return true;
}

httplib::Server::HandlerResponse GuardedServer::CheckHead(const httplib::Request& req, httplib::Response& res) {
  if (t_connection != nullptr) {
    t_connection->StopWaiting();
    t_connection->stream->SetDeadline(Clock::now() + Millis(limits_.body_timeout_seconds));
  }
  auto refuse = [&](int status, std::string_view message, std::string_view field) {
    res.status = status;
    res.set_header("Connection", "close");
    res.set_content(JsonError(message, field), "application/json");
    if (t_connection != nullptr) t_connection->close_after_response = true;
    return HandlerResponse::Handled;
  };
  if (req.has_header("Content-Encoding")) {
    return refuse(415, "request bodies are not accepted with a Content-Encoding; send them uncompressed",
                  "Content-Encoding");
  }
  if (req.has_header("Transfer-Encoding")) {
    return refuse(411, "chunked request bodies are not accepted; send a Content-Length", "Transfer-Encoding");
  }
  const bool has_body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  if (!req.has_header("Content-Length")) {
    if (has_body_method) {
      return refuse(411, "a " + req.method + " needs a Content-Length header (0 for an empty body)", "Content-Length");
    }
    return HandlerResponse::Unhandled;
  }
  auto length = text::ParseInt64(req.get_header_value("Content-Length"));
  if (!length || *length < 0) return refuse(400, "Content-Length is not a byte count", "Content-Length");
  if (static_cast<std::uint64_t>(*length) > limits_.max_body_bytes) {
    return refuse(413,
                  "request body of " + std::to_string(*length) + " bytes is over the limit of " +
                      std::to_string(limits_.max_body_bytes) + " bytes",
                  "body");
  }
  return HandlerResponse::Unhandled;
}

}  // namespace buildfarm::http_internal
