// The audit hook around the API's handlers (AuditedRoutes, api.h) and the audit routes:
// GET /api/v1/audit (entries) and GET /api/v1/audit/verify (the chain check, done here, next to the rows).
#include <ctime>

#include "common/text.h"
#include "scheduler/server/api.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

constexpr int kDefaultAuditLimit = 100;

// What Admit() learnt about the request the current thread is handling. A handler runs start to end on
// one server thread, so a thread-local set by the wrapper around it is that request's.
struct RequestAudit {
  bool admit_ran = false;
  std::string principal;
  std::string principal_node;
  std::string refusal;
};
thread_local RequestAudit* current_request = nullptr;

class ScopedRequestAudit {
 public:
  explicit ScopedRequestAudit(RequestAudit* audit) : previous_(current_request) { current_request = audit; }
  ~ScopedRequestAudit() { current_request = previous_; }
  ScopedRequestAudit(const ScopedRequestAudit&) = delete;
  ScopedRequestAudit& operator=(const ScopedRequestAudit&) = delete;

 private:
  RequestAudit* previous_;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The agent's routine calls: liveness and log bytes, not state an operator acts on.
bool IsRoutineAgentCall(const httplib::Request& req) {
  return req.path.rfind("/api/v1/agents/", 0) == 0 && (EndsWith(req.path, "/heartbeat") || EndsWith(req.path, "/log"));
}

std::string TargetOf(const httplib::Request& req, const httplib::Response& res) {
  if (req.matches.size() > 1 && req.matches[1].length() > 0) return req.matches[1];
  // POST /api/v1/jobs and /api/v1/tokens: what the answer says was made (never any other body field).
  if (res.status < 200 || res.status >= 300) return "";
  nlohmann::json body = nlohmann::json::parse(res.body, nullptr, false);
  if (!body.is_object()) return "";
  for (const char* key : {"id", "name"}) {
    auto it = body.find(key);
    if (it != body.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

std::string NodeOf(const httplib::Request& req, const RequestAudit& audit) {
  const bool node_route = req.path.rfind("/api/v1/nodes/", 0) == 0 || req.path.rfind("/api/v1/agents/", 0) == 0;
  if (node_route && req.matches.size() > 1 && req.matches[1].length() > 0) return req.matches[1];
  return audit.principal_node;
}

void RecordRequest(ApiContext& ctx, const httplib::Request& req, const httplib::Response& res,
                   const RequestAudit& audit) {
  if (ctx.audit == nullptr || !audit.admit_ran) return;
  const bool refused = res.status == 401 || res.status == 403;
  if (!refused && (req.method == "GET" || IsRoutineAgentCall(req))) return;
  AuditEvent event{audit.principal, req.method + " " + req.path, TargetOf(req, res), NodeOf(req, audit),
                   std::to_string(res.status), req.remote_addr, refused ? audit.refusal : ""};
  if (event.target.empty() && req.path == "/api/v1/agents/register") event.target = event.node;
  auto appended = ctx.audit->Append(event, NowSeconds());
  if (!appended.ok()) {
    ctx.log.Error("cannot write the audit log", {{"action", event.action}, {"err", appended.status().ToString()}});
  }
}

// `since`: an RFC 3339 UTC time ("2026-01-02T15:04:05Z", fraction allowed) or a duration ago ("24h").
std::optional<double> ParseSince(const std::string& value, double now) {
  if (auto ago = text::ParseDurationSeconds(value)) return now - *ago;
  std::tm utc{};
  const char* rest = strptime(value.c_str(), "%Y-%m-%dT%H:%M:%S", &utc);
  if (rest == nullptr) return std::nullopt;
  double fraction = 0;
  if (*rest == '.') {
    const char* digits = rest;
    while (*++rest >= '0' && *rest <= '9') {}
    auto parsed = text::ParseDouble("0" + std::string(digits, rest));
    if (!parsed) return std::nullopt;
    fraction = *parsed;
  }
  if (std::string_view(rest) != "Z") return std::nullopt;
  return static_cast<double>(timegm(&utc)) + fraction;
}

nlohmann::json EntryToJson(const AuditEntry& entry) {
  const AuditEvent& e = entry.event;
  return {{"id", entry.id},         {"time", FormatTimestamp(static_cast<double>(entry.at_ms) / 1000)},
          {"at_ms", entry.at_ms},   {"principal", e.principal},
          {"action", e.action},     {"target", e.target},
          {"node", e.node},         {"result", e.result},
          {"source", e.source},     {"detail", e.detail},
          {"prev_hash", entry.prev_hash}, {"hash", entry.hash}};
}

bool StoreReady(ApiContext& ctx, httplib::Response& res) {
  if (ctx.audit != nullptr) return true;
  SendError(res, 503, "this scheduler keeps no audit log");
  return false;
}

void List(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kAdmin) || !StoreReady(ctx, res)) return;
  auto limit = ListLimit(req, res, kDefaultAuditLimit);
  if (!limit) return;
  AuditQuery query;
  query.limit = *limit;
  query.node = req.get_param_value("node");
  if (req.has_param("since")) {
    query.since = ParseSince(req.get_param_value("since"), NowSeconds());
    if (!query.since) {
      return SendError(res, 400, "since: want an RFC 3339 UTC time (2026-01-02T15:04:05Z) or a duration ago (24h)",
                       "since");
    }
  }
  bool more = false;
  auto entries = ctx.audit->List(query, &more);
  if (!entries.ok()) return SendStatus(res, entries.status());
  nlohmann::json out = nlohmann::json::array();
  for (const AuditEntry& entry : *entries) out.push_back(EntryToJson(entry));
  nlohmann::json body{{"entries", out}};
  if (more) body["truncated"] = true;
  SendJson(res, 200, body);
}

void Verify(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kAdmin) || !StoreReady(ctx, res)) return;
  auto verified = ctx.audit->Verify();
  if (!verified.ok()) return SendStatus(res, verified.status());
  nlohmann::json out{{"ok", !verified->first_broken}, {"entries", verified->entries},
                     {"head_hash", verified->head_hash}};
  if (verified->first_broken) {
    out["first_broken"] = *verified->first_broken;
    out["problem"] = verified->problem;
  }
  SendJson(res, 200, out);
}

}  // namespace

void NoteAdmitted(const Principal& who) {
  if (current_request == nullptr) return;
  current_request->admit_ran = true;
  current_request->principal = who.name;
  current_request->principal_node = who.node;
}

void NoteRefused(std::string principal, std::string reason) {
  if (current_request == nullptr) return;
  current_request->admit_ran = true;
  current_request->principal = std::move(principal);
  current_request->refusal = std::move(reason);
}

HttpServer::Handler AuditedRoutes::Wrap(HttpServer::Handler handler) {
  return [&ctx = ctx_, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    RequestAudit audit;
    ScopedRequestAudit scope(&audit);
    handler(req, res);
    RecordRequest(ctx, req, res, audit);
  };
}

void AuditedRoutes::Get(const std::string& pattern, HttpServer::Handler handler) {
  server_.Get(pattern, Wrap(std::move(handler)));
}

void AuditedRoutes::Post(const std::string& pattern, HttpServer::Handler handler) {
  server_.Post(pattern, Wrap(std::move(handler)));
}

void AuditedRoutes::GetLong(const std::string& pattern, HttpServer::LongHandler handler) {
  server_.GetLong(pattern, [&ctx = ctx_, handler = std::move(handler)](const httplib::Request& req,
                                                                        httplib::Response& res,
                                                                        HttpServer::LongPermit permit) {
    RequestAudit audit;
    ScopedRequestAudit scope(&audit);
    handler(req, res, std::move(permit));
    RecordRequest(ctx, req, res, audit);
  });
}

void RegisterAuditRoutes(HttpServer& server, ApiContext& ctx) {
  using R = const httplib::Request&;
  using W = httplib::Response&;
  AuditedRoutes routes(server, ctx);
  routes.Get("/api/v1/audit", [&ctx](R req, W res) { List(ctx, req, res); });
  routes.Get("/api/v1/audit/verify", [&ctx](R req, W res) { Verify(ctx, req, res); });
}

}  // namespace buildfarm::scheduler
