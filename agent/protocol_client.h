// SchedulerClient: the agent's side of the agent protocol (docs/api.md, "Agent protocol").
//
// Each call maps the HTTP answer onto a small outcome: accepted, conflict (409: superseded or
// already reported, the agent drops the attempt), not found (404 on heartbeat: register again),
// refused (a permanent 4xx on an attempt report: the agent reports a refused start as failed), or
// an error Status for transport failures and unexpected statuses, which the caller retries with
// backoff. One SchedulerClient is used by one thread at a time (it owns one connection); the agent
// gives each of its threads its own. Abort() may be called from any thread to cut a call short
// (a long poll at shutdown). The token is sent as a bearer token and never logged.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/status.h"

namespace buildfarm::agent {

struct Capacity {
  std::int64_t cores = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t disk_bytes = 0;
};

struct NodeRegistration {
  std::string name;
  std::map<std::string, std::string> labels;
  std::vector<std::string> profiles;
  Capacity capacity;
};

struct RegisterReply {
  double heartbeat_seconds = 0;  // 0 when the scheduler did not say
  double lease_seconds = 0;
};

struct AttemptRef {
  std::string job_id;
  std::int64_t attempt = 0;
  bool operator<(const AttemptRef& o) const { return job_id != o.job_id ? job_id < o.job_id : attempt < o.attempt; }
  bool operator==(const AttemptRef& o) const { return job_id == o.job_id && attempt == o.attempt; }
};

struct Assignment {
  AttemptRef ref;
  std::string command;
  std::string branch;
  std::string commit;
  double timeout_seconds = 0;
};

// kRefused: a permanent refusal of an attempt report (a 4xx other than 401, 404, 408, 409 and 429),
// which retrying cannot change.
enum class Reply { kAccepted, kConflict, kNotFound, kRefused };

class SchedulerClient {
 public:
  // `read_timeout_seconds` must exceed the longest long poll the caller asks for.
  static Result<std::unique_ptr<SchedulerClient>> Create(const std::string& url, const std::string& token,
                                                         const std::string& node_name,
                                                         double connect_timeout_seconds = 3,
                                                         double read_timeout_seconds = 40,
                                                         const TlsClientOptions& tls = {});
  ~SchedulerClient();
  void Abort();

  Result<RegisterReply> Register(const NodeRegistration& registration);
  // kNotFound: the scheduler does not know the node. `superseded` receives the attempts to kill.
  Result<Reply> Heartbeat(const std::vector<AttemptRef>& running, std::vector<AttemptRef>* superseded);
  Result<std::vector<Assignment>> PollAssignments(int wait_seconds);
  Result<Reply> StartAttempt(const AttemptRef& ref);
  // `*truncated` (when given) is set when the scheduler says the attempt's log reached its cap
  // ({"truncated": true}): it keeps nothing more of that attempt's log.
  Result<Reply> SendLog(const AttemptRef& ref, const std::string& chunk, bool* truncated = nullptr);
  Result<Reply> SendResult(const AttemptRef& ref, int exit_code, double duration_seconds, const std::string& error);
  // The HTTP status and error text of the last attempt report (start, log, result), for logs and
  // for the failure an agent reports when its start is refused.
  std::string LastRefusal() const { return last_refusal_; }

 private:
  SchedulerClient() = default;
  Result<Reply> PostAttempt(const AttemptRef& ref, const std::string& what, const std::string& body,
                            const std::string& content_type, std::string* accepted_body = nullptr);

  Result<HttpResponse> Get(const std::string& path);
  Result<HttpResponse> Post(const std::string& path, const std::string& body, const std::string& content_type);

  std::unique_ptr<HttpClient> http_;
  std::string node_;
  std::string last_refusal_;
};

// Parses the assignments body; exposed for tests. Errors name the field.
Result<std::vector<Assignment>> ParseAssignments(std::string_view body);

}  // namespace buildfarm::agent
