// HttpServer: cpp-httplib behind the conventions every buildfarm server shares.
//
// - Listens on several addresses at once ("127.0.0.1:9100", ":9100" for every interface, port 0 for
//   any free port) and logs each bound address as `msg=listening address=HOST:PORT`, which tests read.
// - Caps in-flight requests: beyond `max_requests` a request is answered 503 at once, and beyond
//   `max_requests_per_principal` for one token (or, without a token, one source address) 429.
// - Long requests (long polls, followed logs: routes registered with GetLong) are counted apart, so they
//   never take the slots of heartbeats, health checks and scrapes: at most `max_long_requests` at once and
//   `max_long_requests_per_principal` per principal, else 429. A long handler gets a permit that it keeps
//   for as long as it streams (capture it in the content provider).
// - Serves each connection on its own thread, started on demand up to `worker_threads` and leaving
//   after 30 s idle, with a bounded wait queue; the connection limits under that (request deadlines,
//   body limits, connections per source address) are in http_transport.h.
// - With a web config (HttpServerOptions::web_config): HTTPS only when it has tls_server_config, with
//   Strict-Transport-Security on every response; http_server_config.headers on every response; and
//   basic_auth_users checked on every route (401 with WWW-Authenticate otherwise).
//
// Register handlers before Start(); after that the server is driven by its own threads and handlers
// run concurrently, so they must be thread-safe. Stop() may be called from any thread.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/http_transport.h"
#include "common/log.h"
#include "common/status.h"
#include "common/web_config.h"

namespace buildfarm {

// One registered handler: its method ("GET", "POST") and its path pattern as given (a regex for
// cpp-httplib when it has groups, e.g. "/api/v1/jobs/([^/]+)").
struct HttpRoute {
  std::string method;
  std::string pattern;
};

struct HttpServerOptions {
  std::vector<std::string> listen_addresses{":9100"};
  int max_requests = 40;                  // short requests at once; 0 means unlimited
  int max_requests_per_principal = 0;     // 0: no per-principal cap on short requests
  int max_long_requests = 0;              // 0: half the worker threads
  int max_long_requests_per_principal = 8;
  int worker_threads = 0;                 // 0: max_requests + 4, at least 8
  int max_queued_connections = 0;         // connections waiting for a thread; 0: as many as worker threads
  double read_timeout_seconds = 10;       // per receive
  double write_timeout_seconds = 30;      // per send
  http_internal::TransportLimits transport;
  // The listener's web config (web_config.h): TLS, extra headers, basic auth. Null: plain HTTP, no basic auth.
  std::shared_ptr<const WebConfig> web_config;
};

class HttpServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Held by a long request for its whole life; release it (drop the last copy) when the stream ends.
  using LongPermit = std::shared_ptr<void>;
  using LongHandler = std::function<void(const httplib::Request&, httplib::Response&, LongPermit)>;

  HttpServer(const Logger& log, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void Get(const std::string& pattern, Handler handler);
  void Post(const std::string& pattern, Handler handler);
  // A GET that may take long to answer or stream (see the file comment).
  void GetLong(const std::string& pattern, LongHandler handler);
  // Called for every answer with status >= 400 before it is written, also for the ones httplib makes
  // before routing (unknown route or method 404, 400 without Content-Length, 413); whatever it leaves
  // in the response is sent. Set before Start().
  void SetErrorHandler(Handler handler) { error_handler_ = std::move(handler); }
  // Every route registered so far, in registration order (docs/openapi.yaml is checked against it).
  std::vector<HttpRoute> Routes() const;

  // Binds every address and starts serving. Fails, naming the address, if one cannot be bound.
  Status Start();
  // "HOST:PORT" for each listener, with the real port when 0 was asked for.
  std::vector<std::string> BoundAddresses() const { return bound_; }
  void Stop();
  // Blocks until Stop() is called.
  void Wait();

 private:
  // False (and a 401 in `res`) when basic auth is configured and the request does not pass it.
  bool Authorized(const httplib::Request& req, httplib::Response& res) const;
  Handler Guard(Handler handler);
  Handler GuardLong(LongHandler handler);
  int WorkerThreads() const;

  const Logger& log_;
  HttpServerOptions options_;
  struct Route {
    bool post;
    std::string pattern;
    Handler handler;
  };
  std::vector<Route> routes_;
  Handler error_handler_;
  std::vector<std::unique_ptr<http_internal::GuardedServer>> servers_;
  std::vector<std::thread> threads_;
  std::vector<std::string> bound_;
  std::atomic<int> in_flight_{0};
  std::shared_ptr<http_internal::KeyedLimiter> per_principal_;
  std::shared_ptr<http_internal::KeyedLimiter> long_per_principal_;
  std::atomic<int> long_in_flight_{0};
  http_internal::KeyedLimiter sources_;
  http_internal::WaitingConnections waiting_;
};

// Splits "host:port", "[v6]:port" or ":port". An empty host means every interface.
Status SplitHostPort(std::string_view address, std::string* host, int* port);

}  // namespace buildfarm
