// FakeScheduler: an in-test stand-in for buildfarm-scheduler's agent routes (docs/api.md, "Agent
// protocol") on 127.0.0.1, recording every call. It can be stopped and started again on the same
// port to play an unreachable scheduler. Methods are thread-safe (one mutex); handlers run on
// cpp-httplib's threads.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/eventually.h"

namespace buildfarm::testing {

struct FakeResult {
  std::string key;  // "job/attempt"
  nlohmann::json body;
};

class FakeScheduler {
 public:
  FakeScheduler() = default;
  ~FakeScheduler() { Stop(); }

  // Listens on 127.0.0.1:`port` (0: any free port, remembered for the next Start).
  bool Start(int port = 0);
  void Stop();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Queued assignments are handed out once by the next long poll.
  void Assign(const std::string& job_id, int attempt, const std::string& command, double timeout_seconds = 0);
  void RefuseStart(const std::string& key) { std::lock_guard l(mu_); refuse_start_.insert(key); }
  // The start of `key` gets 404, as for a job the scheduler cannot find (an id its routes cannot match).
  void StartNotFound(const std::string& key) { std::lock_guard l(mu_); missing_start_.insert(key); }
  void SupersedeOnHeartbeat(const std::string& job_id, int attempt);
  void HeartbeatNotFoundOnce() { std::lock_guard l(mu_); heartbeat_404_ = true; }
  void RefuseResults() { std::lock_guard l(mu_); refuse_results_ = true; }
  // Keeps at most `max_bytes` of each attempt's log and answers {"appended_bytes", "truncated": true}
  // once an attempt's log is full, as the scheduler does at logs.max_bytes_per_attempt.
  void CapLogs(std::size_t max_bytes) { std::lock_guard l(mu_); log_cap_ = max_bytes; }

  int registers() const { std::lock_guard l(mu_); return registers_; }
  int heartbeats() const { std::lock_guard l(mu_); return static_cast<int>(heartbeat_bodies_.size()); }
  std::vector<nlohmann::json> heartbeat_bodies() const { std::lock_guard l(mu_); return heartbeat_bodies_; }
  nlohmann::json last_registration() const { std::lock_guard l(mu_); return registration_; }
  std::vector<std::string> starts() const { std::lock_guard l(mu_); return starts_; }
  std::string log(const std::string& key) const;
  int log_chunks(const std::string& key) const;
  std::vector<FakeResult> results() const { std::lock_guard l(mu_); return results_; }
  int result_posts() const { std::lock_guard l(mu_); return result_posts_; }
  std::string last_authorization() const { std::lock_guard l(mu_); return authorization_; }

 private:
  void Routes(httplib::Server& server);

  mutable std::mutex mu_;
  std::condition_variable assigned_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  int registers_ = 0;
  nlohmann::json registration_;
  std::vector<nlohmann::json> heartbeat_bodies_;
  std::deque<nlohmann::json> assignments_;
  std::set<std::string> refuse_start_;
  std::set<std::string> missing_start_;
  std::vector<nlohmann::json> superseded_;
  bool heartbeat_404_ = false;
  bool refuse_results_ = false;
  std::size_t log_cap_ = 0;  // 0: no cap
  std::vector<std::string> starts_;
  std::map<std::string, std::string> logs_;
  std::map<std::string, int> log_chunks_;
  std::vector<FakeResult> results_;
  std::set<std::string> reported_;
  int result_posts_ = 0;
  std::string authorization_;
};

}  // namespace buildfarm::testing
