#include "common/http_server.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <system_error>

#include "common/text.h"

namespace buildfarm {
namespace {

// cpp-httplib's TaskQueue with threads started on demand, up to a cap, that leave after idling for
// a while: an idle exporter holds no request threads, a burst gets up to `max_threads` at once.
// httplib runs one task per connection (for its whole keep-alive life), so the cap bounds the
// connections served at once, exactly like httplib's fixed ThreadPool of the same size.
class GrowingThreadPool final : public httplib::TaskQueue {
 public:
  GrowingThreadPool(std::size_t max_threads, std::chrono::seconds idle_exit)
      : max_threads_(std::max<std::size_t>(max_threads, 1)), idle_exit_(idle_exit) {}
  ~GrowingThreadPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mu_);
    JoinExited(lock);
    jobs_.push_back(std::move(fn));
    if (idle_ > jobs_.size() - 1) {
      lock.unlock();
      cv_.notify_one();
      return;
    }
    if (threads_.size() < max_threads_) {
      auto self = threads_.emplace(threads_.end());
      try {
        *self = std::thread([this, self] { Work(self); });
      } catch (const std::system_error&) {
        threads_.erase(self);  // out of threads: the job waits for a busy one to finish
      }
    }
  }

  void shutdown() override {
    std::unique_lock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    while (!threads_.empty() || !exited_.empty()) {
      JoinExited(lock);
      if (threads_.empty()) break;
      exit_cv_.wait(lock);
    }
  }

 private:
  void Work(std::list<std::thread>::iterator self) {
    std::unique_lock lock(mu_);
    while (true) {
      if (jobs_.empty()) {
        if (stopping_) break;
        ++idle_;
        bool woken = cv_.wait_for(lock, idle_exit_, [&] { return stopping_ || !jobs_.empty(); });
        --idle_;
        if (!woken) break;  // idle too long
        continue;
      }
      std::function<void()> fn = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      fn();
      fn = nullptr;  // release the connection's captures before going idle
      lock.lock();
    }
    // A thread cannot join itself: hand the handle to whoever calls JoinExited next.
    exited_.splice(exited_.end(), threads_, self);
    exit_cv_.notify_all();
  }

  // Joins threads that have left their loop (they only have to return from Work).
  void JoinExited(std::unique_lock<std::mutex>& lock) {
    if (exited_.empty()) return;
    std::list<std::thread> exited;
    exited.swap(exited_);
    lock.unlock();
    for (auto& thread : exited) thread.join();
    lock.lock();
  }

  const std::size_t max_threads_;
  const std::chrono::seconds idle_exit_;
  std::mutex mu_;
  std::condition_variable cv_;       // idle threads wait here for jobs
  std::condition_variable exit_cv_;  // shutdown waits here for threads to leave
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;  // running Work
  std::list<std::thread> exited_;   // left Work, not yet joined
  std::size_t idle_ = 0;
  bool stopping_ = false;
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

HttpServer::HttpServer(const Logger& log, HttpServerOptions options) : log_(log), options_(std::move(options)) {}

HttpServer::~HttpServer() {
  Stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

HttpServer::Handler HttpServer::Guard(Handler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    int now = in_flight_.fetch_add(1) + 1;
    struct Release {
      std::atomic<int>& counter;
      ~Release() { counter.fetch_sub(1); }
    } release{in_flight_};
    if (options_.max_requests > 0 && now > options_.max_requests) {
      res.status = 503;
      res.set_content("too many concurrent requests\n", "text/plain; charset=utf-8");
      return;
    }
    handler(req, res);
  };
}

void HttpServer::Get(const std::string& pattern, Handler handler) {
  routes_.push_back({false, pattern, Guard(std::move(handler))});
}

void HttpServer::Post(const std::string& pattern, Handler handler) {
  routes_.push_back({true, pattern, Guard(std::move(handler))});
}

std::vector<HttpRoute> HttpServer::Routes() const {
  std::vector<HttpRoute> out;
  for (const Route& route : routes_) out.push_back({route.post ? "POST" : "GET", route.pattern});
  return out;
}

Status HttpServer::Start() {
  int threads = options_.worker_threads;
  if (threads <= 0) threads = std::clamp(options_.max_requests + 4, 8, 256);
  for (const std::string& address : options_.listen_addresses) {
    std::string host;
    int port = 0;
    BUILDFARM_RETURN_IF_ERROR(SplitHostPort(address, &host, &port));
    auto server = std::make_unique<httplib::Server>();
    server->new_task_queue = [threads] {
      return new GrowingThreadPool(static_cast<std::size_t>(threads), std::chrono::seconds(30));
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
    log_.Info("listening", {{"address", bound}});
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
