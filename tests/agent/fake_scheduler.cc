#include "tests/agent/fake_scheduler.h"

#include <algorithm>

namespace buildfarm::testing {

using nlohmann::json;

bool FakeScheduler::Start(int port) {
  Stop();
  server_ = std::make_unique<httplib::Server>();
  server_->set_keep_alive_timeout(1);  // so Stop() does not wait for idle agent connections
  Routes(*server_);
  int wanted = port != 0 ? port : port_;
  if (wanted != 0) {
    if (!server_->bind_to_port("127.0.0.1", wanted)) return false;
    port_ = wanted;
  } else {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return Eventually([this] { return server_->is_running(); }, 10, "the fake scheduler running");
}

void FakeScheduler::Stop() {
  if (!server_) return;
  server_->stop();
  assigned_.notify_all();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void FakeScheduler::Assign(const std::string& job_id, int attempt, const std::string& command, double timeout_seconds) {
  std::lock_guard l(mu_);
  assignments_.push_back({{"job",
                           {{"id", job_id},
                            {"command", command},
                            {"branch", "main"},
                            {"commit", "abc123"},
                            {"timeout_seconds", timeout_seconds},
                            {"status", "assigned"}}},
                          {"attempt", attempt}});
  assigned_.notify_all();
}

void FakeScheduler::SupersedeOnHeartbeat(const std::string& job_id, int attempt) {
  std::lock_guard l(mu_);
  superseded_.push_back({{"job_id", job_id}, {"attempt", attempt}});
}

std::string FakeScheduler::log(const std::string& key) const {
  std::lock_guard l(mu_);
  auto it = logs_.find(key);
  return it == logs_.end() ? "" : it->second;
}

int FakeScheduler::log_chunks(const std::string& key) const {
  std::lock_guard l(mu_);
  auto it = log_chunks_.find(key);
  return it == log_chunks_.end() ? 0 : it->second;
}

void FakeScheduler::Routes(httplib::Server& server) {
  server.Post("/api/v1/agents/register", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard l(mu_);
    authorization_ = req.get_header_value("Authorization");
    ++registers_;
    registration_ = json::parse(req.body);
    res.set_content(json{{"node", {{"name", registration_["name"]}}}, {"heartbeat_seconds", 5}, {"lease_seconds", 15}}.dump(),
                    "application/json");
  });
  server.Post(R"(/api/v1/agents/([^/]+)/heartbeat)", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard l(mu_);
    if (heartbeat_404_) {
      heartbeat_404_ = false;
      res.status = 404;
      res.set_content(R"({"error": "unknown node"})", "application/json");
      return;
    }
    heartbeat_bodies_.push_back(json::parse(req.body));
    res.set_content(json{{"superseded", superseded_}}.dump(), "application/json");
  });
  server.Get(R"(/api/v1/agents/([^/]+)/assignments)", [this](const httplib::Request&, httplib::Response& res) {
    std::unique_lock l(mu_);
    // A short wait keeps the test quick; the agent's loop is the same for any wait.
    assigned_.wait_for(l, std::chrono::milliseconds(300), [this] { return !assignments_.empty(); });
    json list = json::array();
    while (!assignments_.empty()) {
      list.push_back(assignments_.front());
      assignments_.pop_front();
    }
    res.set_content(json{{"assignments", list}}.dump(), "application/json");
  });
  server.Post(R"(/api/v1/jobs/([^/]+)/attempts/(\d+)/(start|log|result))",
              [this](const httplib::Request& req, httplib::Response& res) {
                std::lock_guard l(mu_);
                std::string key = req.matches[1].str() + "/" + req.matches[2].str();
                std::string what = req.matches[3].str();
                auto conflict = [&res] {
                  res.status = 409;
                  res.set_content(R"({"error": "attempt superseded"})", "application/json");
                };
                if (what == "start") {
                  starts_.push_back(key);
                  if (refuse_start_.count(key)) return conflict();
                  if (missing_start_.count(key)) {
                    res.status = 404;
                    res.set_content(R"({"error": "job not found"})", "application/json");
                    return;
                  }
                } else if (what == "log") {
                  if (reported_.count(key)) return conflict();
                  ++log_chunks_[key];
                  std::string& log = logs_[key];
                  if (log_cap_ > 0 && log.size() + req.body.size() >= log_cap_) {
                    const std::size_t kept = log_cap_ - std::min(log.size(), log_cap_);
                    log += req.body.substr(0, kept);
                    res.set_content(json{{"appended_bytes", kept}, {"truncated", true}}.dump(), "application/json");
                    return;
                  }
                  log += req.body;
                } else {
                  ++result_posts_;
                  if (refuse_results_ || reported_.count(key)) return conflict();
                  reported_.insert(key);
                  results_.push_back({key, json::parse(req.body)});
                }
                res.set_content("{}", "application/json");
              });
}

}  // namespace buildfarm::testing
