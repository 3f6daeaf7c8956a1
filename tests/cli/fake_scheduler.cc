#include "tests/cli/fake_scheduler.h"

#include <httplib.h>

#include <chrono>

#include "tests/support/eventually.h"

namespace buildfarm::testing {

FakeScheduler::FakeScheduler() : server_(std::make_unique<httplib::Server>()) {
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest recorded{req.method, req.path, "", req.body, req.get_header_value("Authorization")};
    for (const auto& [name, value] : req.params) {
      recorded.query += (recorded.query.empty() ? "" : "&") + name + "=" + value;
    }
    std::unique_lock lock(mutex_);
    requests_.push_back(recorded);
    if (req.method == "GET" && req.has_param("follow") && !log_first_.empty()) {
      std::string first = log_first_, rest = log_rest_;
      res.set_chunked_content_provider("text/plain", [this, first, rest, sent = 0](std::size_t,
                                                                                   httplib::DataSink& sink) mutable {
        if (sent == 0) {
          sink.write(first.data(), first.size());
          sent = 1;
          return true;
        }
        std::unique_lock wait_lock(mutex_);
        released_cv_.wait_for(wait_lock, std::chrono::seconds(20), [this] { return released_; });
        wait_lock.unlock();
        sink.write(rest.data(), rest.size());
        sink.done();
        return true;
      });
      return;
    }
    std::string key = req.method + " " + req.path;
    auto it = canned_.find(recorded.query.empty() ? key : key + "?" + recorded.query);
    if (it == canned_.end()) it = canned_.find(key);
    if (it == canned_.end()) {
      res.status = 404;
      res.set_content(R"({"error": "fake scheduler has no answer for )" + key + R"("})", "application/json");
      return;
    }
    res.status = it->second.status;
    res.set_content(it->second.body, it->second.content_type.c_str());
  };
  server_->Get(".*", handle);
  server_->Post(".*", handle);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the server runs, so wait for that before anyone can destroy it.
  EXPECT_TRUE(Eventually([this] { return server_->is_running(); }, 10, "the fake scheduler running"));
}

FakeScheduler::~FakeScheduler() {
  ReleaseLogStream();
  server_->stop();
  thread_.join();
}

void FakeScheduler::RespondWithTwoNodeStatus() {
  Respond("GET /api/v1/nodes", 200, R"({"nodes": [
  {"name": "build1", "state": "ready", "capacity": {"cores": 8, "memory_bytes": 17179869184},
   "reservations": {"cores": 2, "memory_bytes": 0}, "running_jobs": ["job-with-a-rather-long-name-1", "job-2"],
   "metrics": {"cpu_utilization": 0.5, "memory_available_bytes": 1024, "disk_available_bytes": 2048,
               "temperature_celsius": 40, "age_seconds": 2}},
  {"name": "build2", "state": "down", "capacity": {"cores": 4}, "reservations": {}, "running_jobs": []}]})");
  Respond("GET /metrics", 200, "buildfarm_scheduler_jobs{status=\"queued\"} 3\n", "text/plain");
}

void FakeScheduler::Respond(const std::string& key, int status, std::string body, std::string content_type) {
  std::lock_guard lock(mutex_);
  canned_[key] = Canned{status, std::move(body), std::move(content_type)};
}

void FakeScheduler::SetLogStream(std::string first_chunk, std::string rest) {
  std::lock_guard lock(mutex_);
  log_first_ = std::move(first_chunk);
  log_rest_ = std::move(rest);
}

void FakeScheduler::ReleaseLogStream() {
  {
    std::lock_guard lock(mutex_);
    released_ = true;
  }
  released_cv_.notify_all();
}

std::vector<RecordedRequest> FakeScheduler::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

RecordedRequest FakeScheduler::last() {
  std::lock_guard lock(mutex_);
  return requests_.empty() ? RecordedRequest{} : requests_.back();
}

}  // namespace buildfarm::testing
