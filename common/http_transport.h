// The connection layer under HttpServer: what a client may make the server hold before any handler runs.
//
// cpp-httplib reads a request's head with a timeout per receive, not per request, serves each connection
// on a thread, and reads (and inflates) a whole body before routing. A client that sends its head a byte
// at a time, opens hundreds of idle connections, or sends a small gzip bomb can therefore hold every
// thread or all memory without a token. GuardedServer closes those holes where the bytes arrive:
//
// - Deadlines. The head of each request must arrive within `header_timeout` of its first byte (of the
//   connection's start for the first request), and its body within `body_timeout` of the head; a
//   connection that misses one is closed. Idle keep-alive connections close after httplib's keep-alive
//   timeout (5 s).
// - Bodies. Before the body is read (httplib's pre-routing hook runs after the head): a body without a
//   Content-Length (chunked), any Content-Encoding, or a Content-Length above `max_body_bytes` is refused
//   with a JSON error and the connection is closed unread, so no body beyond the limit is ever buffered.
// - Connections per source address: beyond `max_connections_per_source`, a new connection is answered 503
//   at once and closed. The pool's bounded queue (http_thread_pool.h) refuses the same way.
// - Connections waiting for a request head (new, slow, or idle between keep-alive requests) each hold a
//   thread. At most `max_waiting_connections` wait at once: a new one closes the one that has waited
//   longest. Real clients send their head at once, so only slow and idle connections are ever closed,
//   even when they come from many addresses.
// - TLS (UseTls): the handshake is bounded by the header deadline and counts as waiting; every read and
//   write inside a TLS record keeps the same deadlines. Plain HTTP is not served on a TLS listener.
//
// Thread-safety: one GuardedServer per listener; its hooks run on the connection's own thread, and the
// per-source table is shared behind a mutex.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/tls_server.h"

namespace buildfarm::http_internal {

struct TransportLimits {
  std::size_t max_body_bytes = 1 << 20;
  double header_timeout_seconds = 10;
  double body_timeout_seconds = 30;
  int max_connections_per_source = 64;  // 0: unlimited
  int max_waiting_connections = 0;      // 0: unlimited (HttpServer sets a quarter of its threads)
};

// The documented JSON error body, {"error": message, "field": field} (no field when empty), for answers
// written below the API layer; control characters are dropped.
std::string JsonError(std::string_view message, std::string_view field);

// Counts what each key holds at once (connections per source address, requests per principal), up to a
// maximum per key; keys that hold nothing are forgotten, so the table is as large as the current holders.
class KeyedLimiter {
 public:
  explicit KeyedLimiter(int max_per_key) : max_per_key_(max_per_key) {}
  // False when `key` already holds the maximum; otherwise counts one more.
  bool Admit(const std::string& key);
  void Release(const std::string& key);
  int Count(const std::string& key);

 private:
  const int max_per_key_;
  Mutex mu_;
  std::map<std::string, int> open_ GUARDED_BY(mu_);
};

// The connections waiting for a request head, oldest first; shared by a server's listeners.
class WaitingConnections {
 public:
  struct Entry {
    int sock;
    bool shut_down = false;
  };
  using Ticket = std::list<Entry>::iterator;

  explicit WaitingConnections(int max_waiting) : max_waiting_(max_waiting) {}
  // Records `sock` as waiting; when that makes too many, shuts the oldest waiting socket down (its own
  // thread then sees its reads fail and closes it).
  Ticket Enter(int sock);
  // Ends the wait. Must happen before the socket is closed, so that a shutdown never hits a reused fd.
  void Leave(Ticket ticket);
  int waiting();

 private:
  const int max_waiting_;
  Mutex mu_;
  std::list<Entry> entries_ GUARDED_BY(mu_);  // oldest first; shut-down entries stay until their owner leaves
  int waiting_ GUARDED_BY(mu_) = 0;           // entries not shut down
};

class GuardedServer : public httplib::Server {
 public:
  // `sources` counts connections per address, `waiting` the ones waiting for a head.
  GuardedServer(TransportLimits limits, KeyedLimiter& sources, WaitingConnections& waiting);

  // Answers the connection that the current thread is about to serve with 503 and closes it, instead of
  // serving it: used by the thread pool when its queue is full. `task` is the pool's job for it.
  static void RejectWhileBusy(const std::function<void()>& task);

  // Called from a handler's wrapper when the handler starts: from then on the request is the handler's,
  // and no read deadline applies (a long poll may legitimately take minutes to answer).
  static void MarkHandlerStarted();

  // Serves only TLS from now on (set before listening); a connection whose handshake fails or misses the
  // header deadline is closed without an answer.
  void UseTls(std::shared_ptr<const TlsServerContext> tls) { tls_ = std::move(tls); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Refuses bodies the server will not read; runs after the head, before the body.
  HandlerResponse CheckHead(const httplib::Request& req, httplib::Response& res);

  const TransportLimits limits_;
  KeyedLimiter& sources_;
  WaitingConnections& waiting_;
  std::shared_ptr<const TlsServerContext> tls_;
};

}  // namespace buildfarm::http_internal
