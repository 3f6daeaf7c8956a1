#include "common/http_server.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "common/http_thread_pool.h"
#include "common/text.h"
#include "common/tls_server.h"

namespace buildfarm {
namespace {

using http_internal::KeyedLimiter;

// Whose request this is, for per-principal limits: its bearer token (as a hash held only in memory), or its
// source address when it has none.
std::string PrincipalOf(const httplib::Request& req) {
  const std::string& auth = req.get_header_value("Authorization");
  if (!auth.empty()) return "token:" + std::to_string(std::hash<std::string>{}(auth));
  return "address:" + req.remote_addr;
}

void RefuseRequest(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Retry-After", "1");
  res.set_content(http_internal::JsonError(message, ""), "application/json");
}

// Releases a counted slot when the last copy of the permit is dropped.
class Slot {
 public:
  Slot(std::atomic<int>& in_flight, std::shared_ptr<KeyedLimiter> limiter, std::string principal)
      : in_flight_(in_flight), limiter_(std::move(limiter)), principal_(std::move(principal)) {}
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() {
    if (limiter_) limiter_->Release(principal_);
    in_flight_.fetch_sub(1);
  }

 private:
  std::atomic<int>& in_flight_;
  std::shared_ptr<KeyedLimiter> limiter_;
  std::string principal_;
};

}  // namespace

Status SplitHostPort(std::string_view address, std::string* host, int* port) {
  auto colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("listen address \"" + std::string(address) + "\" has no port (want HOST:PORT or :PORT)");
  }
  std::string_view host_part = address.substr(0, colon);
  if (host_part.size() >= 2 && host_part.front() == '[' && host_part.back() == ']') {
    host_part = host_part.substr(1, host_part.size() - 2);
  }
  auto parsed = text::ParseInt64(address.substr(colon + 1));
  if (!parsed || *parsed < 0 || *parsed > 65535) {
    return InvalidArgument("listen address \"" + std::string(address) + "\" has a bad port");
  }
  *host = host_part.empty() ? "0.0.0.0" : std::string(host_part);
  *port = static_cast<int>(*parsed);
  return Status::Ok();
}

HttpServer::HttpServer(const Logger& log, HttpServerOptions options)
    : log_(log),
      options_(std::move(options)),
      per_principal_(std::make_shared<KeyedLimiter>(options_.max_requests_per_principal)),
      long_per_principal_(std::make_shared<KeyedLimiter>(options_.max_long_requests_per_principal)),
      sources_(options_.transport.max_connections_per_source),
      waiting_(options_.transport.max_waiting_connections > 0 ? options_.transport.max_waiting_connections
                                                              : std::max(4, WorkerThreads() / 4)) {}

HttpServer::~HttpServer() {
  Stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool HttpServer::Authorized(const httplib::Request& req, httplib::Response& res) const {
  if (!options_.web_config || options_.web_config->basic_auth_users.empty()) return true;
  if (CheckBasicAuth(*options_.web_config, req.get_header_value("Authorization"))) return true;
  res.status = 401;
  res.set_header("WWW-Authenticate", "Basic realm=\"buildfarm\", charset=\"UTF-8\"");
  res.set_content(http_internal::JsonError("basic auth required: a user and password of basic_auth_users", "Authorization"),
                  "application/json");
  return false;
}

HttpServer::Handler HttpServer::Guard(Handler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    http_internal::GuardedServer::MarkHandlerStarted();
    if (!Authorized(req, res)) return;
    int now = in_flight_.fetch_add(1) + 1;
    std::shared_ptr<KeyedLimiter> limiter;
    std::string principal;
    if (options_.max_requests_per_principal > 0) {
      principal = PrincipalOf(req);
      if (per_principal_->Admit(principal)) limiter = per_principal_;
    }
    Slot slot(in_flight_, limiter, principal);
    if (options_.max_requests > 0 && now > options_.max_requests) {
      return RefuseRequest(res, 503, "too many concurrent requests");
    }
    if (options_.max_requests_per_principal > 0 && !limiter) {
      return RefuseRequest(res, 429, "too many concurrent requests with this token");
    }
    handler(req, res);
  };
}

HttpServer::Handler HttpServer::GuardLong(LongHandler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    http_internal::GuardedServer::MarkHandlerStarted();
    if (!Authorized(req, res)) return;
    const int cap = options_.max_long_requests > 0 ? options_.max_long_requests : std::max(1, WorkerThreads() / 2);
    int now = long_in_flight_.fetch_add(1) + 1;
    std::string principal = PrincipalOf(req);
    const bool admitted = long_per_principal_->Admit(principal);
    auto permit = std::make_shared<Slot>(long_in_flight_, admitted ? long_per_principal_ : nullptr, principal);
    if (now > cap) return RefuseRequest(res, 429, "too many long polls and log streams at once");
    if (!admitted) return RefuseRequest(res, 429, "too many long polls and log streams with this token");
    handler(req, res, std::move(permit));
  };
}

int HttpServer::WorkerThreads() const {
  if (options_.worker_threads > 0) return options_.worker_threads;
  return std::clamp(options_.max_requests + 4, 8, 256);
}

void HttpServer::Get(const std::string& pattern, Handler handler) {
  routes_.push_back({false, pattern, Guard(std::move(handler))});
}

void HttpServer::Post(const std::string& pattern, Handler handler) {
  routes_.push_back({true, pattern, Guard(std::move(handler))});
}

void HttpServer::GetLong(const std::string& pattern, LongHandler handler) {
  routes_.push_back({false, pattern, GuardLong(std::move(handler))});
}

std::vector<HttpRoute> HttpServer::Routes() const {
  std::vector<HttpRoute> out;
  for (const Route& route : routes_) out.push_back({route.post ? "POST" : "GET", route.pattern});
  return out;
}

Status HttpServer::Start() {
  const auto threads = static_cast<std::size_t>(WorkerThreads());
  const auto queued = options_.max_queued_connections > 0 ? static_cast<std::size_t>(options_.max_queued_connections)
                                                           : threads;
  std::shared_ptr<const TlsServerContext> tls;
  if (options_.web_config && options_.web_config->tls_enabled) {
    auto created = TlsServerContext::Create(options_.web_config->tls);
    if (!created.ok()) return created.status().WithContext("web config");
    tls = *created;
  }
  for (const std::string& address : options_.listen_addresses) {
    std::string host;
    int port = 0;
    BUILDFARM_RETURN_IF_ERROR(SplitHostPort(address, &host, &port));
    auto server = std::make_unique<http_internal::GuardedServer>(options_.transport, sources_, waiting_);
    server->new_task_queue = [threads, queued] {
      return new http_internal::GrowingThreadPool(threads, queued, std::chrono::seconds(30),
                                                  http_internal::GuardedServer::RejectWhileBusy);
    };
    // httplib closes a keep-alive connection after 5 requests by default, making a scraper that
    // keeps its connection (as Prometheus does) reconnect every 5 scrapes; Go's server has no limit.
    server->set_keep_alive_max_count(1000);
    // cpp-httplib's default sets SO_REUSEPORT, which lets a second server silently share a busy
    // port; plain SO_REUSEADDR makes that a bind error while still allowing quick restarts.
    server->set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // Headers and body go out in separate writes; without TCP_NODELAY the body waits for the
    // client's delayed ACK (~40 ms per response on Linux).
    server->set_tcp_nodelay(true);
    server->set_read_timeout(static_cast<time_t>(options_.read_timeout_seconds), 0);
    server->set_write_timeout(static_cast<time_t>(options_.write_timeout_seconds), 0);
    for (const Route& route : routes_) {
      if (route.post) {
        server->Post(route.pattern, route.handler);
      } else {
        server->Get(route.pattern, route.handler);
      }
    }
    if (error_handler_) server->set_error_handler(error_handler_);
    if (tls) server->UseTls(tls);
    if (options_.web_config) {
      // Runs for every response, also the ones httplib writes itself (404, 413).
      server->set_post_routing_handler([config = options_.web_config](const httplib::Request&, httplib::Response& res) {
        for (const auto& [name, value] : config->headers) res.set_header(name, value);
        if (config->tls_enabled) res.set_header("Strict-Transport-Security", "max-age=31536000");
      });
    }
    int bound_port = port;
    if (port == 0) {
      bound_port = server->bind_to_any_port(host);
      if (bound_port < 0) return Unavailable("cannot listen on " + address);
    } else if (!server->bind_to_port(host, port)) {
      return Unavailable("cannot listen on " + address + " (address in use or not permitted)");
    }
    std::string bound = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                        std::to_string(bound_port);
    bound_.push_back(bound);
    log_.Info("listening", {{"address", bound}, {"tls", tls ? "true" : "false"}});
    httplib::Server* raw = server.get();
    servers_.push_back(std::move(server));
    threads_.emplace_back([raw] { raw->listen_after_bind(); });
    // httplib's stop() does nothing until the accept loop runs; wait for it, so that a Stop()
    // right after Start() is not lost and Wait() cannot hang.
    for (int i = 0; i < 5000 && !raw->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  for (auto& server : servers_) server->stop();
}

void HttpServer::Wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace buildfarm
