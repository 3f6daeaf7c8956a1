#include "agent/protocol_client.h"

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

namespace buildfarm::agent {
namespace {

using nlohmann::json;

// Labels, node names and error texts may hold bytes that are not UTF-8; they are sent with U+FFFD
// in their place rather than making dump() throw.
std::string Dump(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

Status Unexpected(const std::string& what, const HttpResponse& response) {
  std::string detail = response.body.substr(0, 200);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  return Unavailable(what + ": HTTP " + std::to_string(response.status) + (detail.empty() ? "" : ": " + detail));
}

// Percent-encodes everything but RFC 3986 unreserved characters, so ids cannot break the path.
std::string PathSegment(const std::string& value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string AttemptPath(const AttemptRef& ref, const std::string& what) {
  return "/api/v1/jobs/" + PathSegment(ref.job_id) + "/attempts/" + std::to_string(ref.attempt) + "/" + what;
}

json RefsToJson(const std::vector<AttemptRef>& refs) {
  json list = json::array();
  for (const auto& r : refs) list.push_back({{"job_id", r.job_id}, {"attempt", r.attempt}});
  return list;
}

}  // namespace

Result<std::unique_ptr<SchedulerClient>> SchedulerClient::Create(const std::string& url, const std::string& token,
                                                                 const std::string& node_name,
                                                                 double connect_timeout_seconds,
                                                                 double read_timeout_seconds,
                                                                 const TlsClientOptions& tls) {
  auto http = HttpClient::Create(url, token, connect_timeout_seconds, read_timeout_seconds, /*write_timeout=*/10, tls);
  if (!http.ok()) return http.status();
  std::unique_ptr<SchedulerClient> client(new SchedulerClient());
  client->http_ = std::move(*http);
  client->node_ = node_name;
  return client;
}

SchedulerClient::~SchedulerClient() = default;

void SchedulerClient::Abort() { http_->Abort(); }

Result<HttpResponse> SchedulerClient::Get(const std::string& path) { return http_->Get(path); }

Result<HttpResponse> SchedulerClient::Post(const std::string& path, const std::string& body,
                                           const std::string& content_type) {
  return http_->Post(path, body, content_type);
}

Result<RegisterReply> SchedulerClient::Register(const NodeRegistration& registration) {
  json body = {{"name", registration.name},
               {"labels", registration.labels},
               {"profiles", registration.profiles},
               {"capacity",
                {{"cores", registration.capacity.cores},
                 {"memory_bytes", registration.capacity.memory_bytes},
                 {"disk_bytes", registration.capacity.disk_bytes}}}};
  auto response = Post("/api/v1/agents/register", Dump(body), "application/json");
  if (!response.ok()) return response.status();
  if (response->status != 200) return Unexpected("register", *response);
  RegisterReply reply;
  try {
    auto doc = json::parse(response->body);
    reply.heartbeat_seconds = doc.value("heartbeat_seconds", 0.0);
    reply.lease_seconds = doc.value("lease_seconds", 0.0);
  } catch (const json::exception&) {
    // The registration happened; the timings are optional.
  }
  return reply;
}

Result<Reply> SchedulerClient::Heartbeat(const std::vector<AttemptRef>& running, std::vector<AttemptRef>* superseded) {
  json body = {{"running", RefsToJson(running)}};
  auto response = Post("/api/v1/agents/" + PathSegment(node_) + "/heartbeat", Dump(body), "application/json");
  if (!response.ok()) return response.status();
  if (response->status == 404) return Reply::kNotFound;
  if (response->status != 200) return Unexpected("heartbeat", *response);
  superseded->clear();
  try {
    auto doc = json::parse(response->body);
    if (doc.contains("superseded")) {
      for (const auto& item : doc.at("superseded")) {
        superseded->push_back({item.at("job_id").get<std::string>(), item.at("attempt").get<std::int64_t>()});
      }
    }
  } catch (const json::exception& e) {
    return ParseError(std::string("heartbeat reply: ") + e.what());
  }
  return Reply::kAccepted;
}

Result<std::vector<Assignment>> ParseAssignments(std::string_view body) {
  std::vector<Assignment> out;
  try {
    auto doc = json::parse(body);
    const auto& list = doc.at("assignments");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& item = list.at(i);
      std::string where = "assignments/" + std::to_string(i);
      if (!item.contains("job") || !item.contains("attempt")) return ParseError(where + ": needs job and attempt");
      const auto& job = item.at("job");
      Assignment a;
      a.ref.attempt = item.at("attempt").get<std::int64_t>();
      if (!job.contains("id") || !job.at("id").is_string()) return ParseError(where + "/job/id: missing");
      if (!job.contains("command") || !job.at("command").is_string()) return ParseError(where + "/job/command: missing");
      a.ref.job_id = job.at("id").get<std::string>();
      a.command = job.at("command").get<std::string>();
      if (job.contains("branch") && job.at("branch").is_string()) a.branch = job.at("branch").get<std::string>();
      if (job.contains("commit") && job.at("commit").is_string()) a.commit = job.at("commit").get<std::string>();
      if (job.contains("timeout_seconds") && job.at("timeout_seconds").is_number()) {
        a.timeout_seconds = job.at("timeout_seconds").get<double>();
      }
      out.push_back(std::move(a));
    }
  } catch (const json::exception& e) {
    return ParseError(std::string("assignments reply: ") + e.what());
  }
  return out;
}

Result<std::vector<Assignment>> SchedulerClient::PollAssignments(int wait_seconds) {
  auto response = Get("/api/v1/agents/" + PathSegment(node_) +
                             "/assignments?wait_seconds=" + std::to_string(wait_seconds));
  if (!response.ok()) return response.status();
  if (response->status != 200) return Unexpected("assignments", *response);
  return ParseAssignments(response->body);
}

Result<Reply> SchedulerClient::PostAttempt(const AttemptRef& ref, const std::string& what, const std::string& body,
                                           const std::string& content_type, std::string* accepted_body) {
  auto response = Post(AttemptPath(ref, what), body, content_type);
  if (!response.ok()) return response.status();
  const int status = response->status;
  if (status == 200 || status == 201 || status == 204) {
    if (accepted_body != nullptr) *accepted_body = std::move(response->body);
    return Reply::kAccepted;
  }
  last_refusal_ = Unexpected(what, *response).message();
  if (status == 409) return Reply::kConflict;
  if (status == 404) return Reply::kNotFound;
  // 401 (a token being rotated), 408 and 429 may pass; every other 4xx is the scheduler's final word.
  if (status >= 400 && status < 500 && status != 401 && status != 408 && status != 429) return Reply::kRefused;
  return Unexpected(what + " " + ref.job_id + "/" + std::to_string(ref.attempt), *response);
}

Result<Reply> SchedulerClient::StartAttempt(const AttemptRef& ref) { return PostAttempt(ref, "start", "{}", "application/json"); }

Result<Reply> SchedulerClient::SendLog(const AttemptRef& ref, const std::string& chunk, bool* truncated) {
  std::string answer;
  auto reply = PostAttempt(ref, "log", chunk, "text/plain", &answer);
  if (truncated != nullptr && reply.ok() && *reply == Reply::kAccepted) {
    json parsed = json::parse(answer, nullptr, false);
    *truncated = parsed.is_object() && parsed.value("truncated", false) == true;
  }
  return reply;
}

Result<Reply> SchedulerClient::SendResult(const AttemptRef& ref, int exit_code, double duration_seconds,
                                          const std::string& error) {
  json body = {{"exit_code", exit_code}, {"duration_seconds", duration_seconds}, {"error", error}};
  return PostAttempt(ref, "result", Dump(body), "application/json");
}

}  // namespace buildfarm::agent
