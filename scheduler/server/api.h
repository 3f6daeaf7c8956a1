// The scheduler's HTTP API (docs/api.md): routes for jobs, nodes and agents, plus /metrics, /healthz
// and /readyz. Every /api/v1/ route authenticates its bearer token and checks the caller's role before
// it reads the body; bodies over 1 MiB are refused with 413; errors are JSON {"error", "field"}.
//
// Handlers run on the HTTP server's threads and only touch thread-safe objects (the service and stores).
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/http_server.h"
#include "common/log.h"
#include "scheduler/server/auth.h"
#include "scheduler/server/secret_check.h"
#include "scheduler/server/service.h"
#include "scheduler/store/audit_store.h"
#include "scheduler/store/message_store.h"
#include "scheduler/store/token_store.h"

namespace buildfarm::scheduler {

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;
// Every list route takes `limit`, at most this; more rows than asked for are said in the answer.
inline constexpr int kMaxListLimit = 1000;
// A log read returns at most this many bytes (the `limit` of GET .../log, and its default).
inline constexpr std::int64_t kMaxLogReadBytes = 1 << 20;

class RetentionMetrics;

class AlertReceiver;

struct ApiContext {
  SchedulerService& service;  // scheduling loop and agent protocol
  Failover& failover;
  FarmStatus& status;         // node listings, readiness, /metrics
  Database& database;  // for a route whose change spans stores (RunInTransaction)
  JobStore& jobs;
  NodeStore& nodes;
  FailoverStore& failovers;
  AlertReceiver& alerts;
  const TokenTable& tokens;
  const Logger& log;
  MessageStore* messages = nullptr;  // the message routes answer 503 without it
  SecretCheck secret_check;          // refuses messages holding a likely secret (empty: none)
  // Told about messages the archive route moved (the git publisher writes coordination/archive/).
  std::function<void(const std::vector<Message>&)> on_archived;
  // logs.max_bytes_per_attempt: an attempt's log is cut there (with a marker line).
  std::int64_t max_log_bytes_per_attempt = kDefaultMaxLogBytesPerAttempt;
  // Counts log truncations (and the retention sweep's deletions); null in tests that do not look.
  RetentionMetrics* retention_metrics = nullptr;
  // More Prometheus text for /metrics (buildfarm_messages_unread, the publisher's families); may be empty.
  std::function<std::string()> extra_metrics;
  // The audit log (api_audit.cc writes a row per changing call and per 401/403); null: none kept.
  AuditStore* audit = nullptr;
  // Tokens made through /api/v1/tokens (the token routes answer 503 without it).
  TokenStore* token_store = nullptr;
};

// Registers routes on `server` with the audit hook around each handler (api_audit.cc), the one place API
// calls reach the audit log. After the handler answered, a row is appended when Admit() ran and either
// the call was refused (401, 403, with the reason) or it was not a GET: principal, action ("POST
// /api/v1/jobs/j1/cancel"), target (the route's first path part, else the id or name the answer names),
// node, result (the HTTP status), source address. An agent's heartbeats and log chunks are left out
// (they change no state an operator acts on, and would be most rows); its registration, start and result
// are in. A failed audit write is logged; the answer stands.
class AuditedRoutes {
 public:
  AuditedRoutes(HttpServer& server, ApiContext& ctx) : server_(server), ctx_(ctx) {}
  void Get(const std::string& pattern, HttpServer::Handler handler);
  void Post(const std::string& pattern, HttpServer::Handler handler);
  void GetLong(const std::string& pattern, HttpServer::LongHandler handler);

 private:
  HttpServer::Handler Wrap(HttpServer::Handler handler);
  HttpServer& server_;
  ApiContext& ctx_;
};
// Called by Admit(): who the current request's audit row names, or why it was refused.
void NoteAdmitted(const Principal& who);
void NoteRefused(std::string principal, std::string reason);

void RegisterJobRoutes(HttpServer& server, ApiContext& ctx);
void RegisterNodeRoutes(HttpServer& server, ApiContext& ctx);
void RegisterAgentRoutes(HttpServer& server, ApiContext& ctx);
void RegisterOpsRoutes(HttpServer& server, ApiContext& ctx);
void RegisterWebRoutes(HttpServer& server, ApiContext& ctx);  // api_web.cc: the page at `/`
void RegisterFailoverRoutes(HttpServer& server, ApiContext& ctx);
void RegisterMessageRoutes(HttpServer& server, ApiContext& ctx);
void RegisterTokenRoutes(HttpServer& server, ApiContext& ctx);  // api_tokens.cc
void RegisterAuditRoutes(HttpServer& server, ApiContext& ctx);  // api_audit.cc
// Gives the answers that would go out with an empty body the JSON error body: unknown routes (404),
// a known path with another method (405 with an Allow header), a POST without Content-Length (400)
// and httplib's form-body limit (413). Called after every route is registered.
void InstallErrorBodies(HttpServer& server);
inline void RegisterAllRoutes(HttpServer& server, ApiContext& ctx) {
  RegisterJobRoutes(server, ctx);
  RegisterNodeRoutes(server, ctx);
  RegisterAgentRoutes(server, ctx);
  RegisterOpsRoutes(server, ctx);
  RegisterWebRoutes(server, ctx);
  RegisterFailoverRoutes(server, ctx);
  RegisterMessageRoutes(server, ctx);
  RegisterTokenRoutes(server, ctx);
  RegisterAuditRoutes(server, ctx);
  InstallErrorBodies(server);
}

// Helpers shared by the route files (api_common.cc).
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
void SendError(httplib::Response& res, int status, const std::string& message, const std::string& field = "");
// Maps a Status to its HTTP code; an InvalidArgument "field: what" names the field.
void SendStatus(httplib::Response& res, const Status& status);
// Authenticates and authorizes; on failure answers 401/403 (or 413 for a large body) and returns nullopt.
std::optional<Principal> Admit(const httplib::Request& req, httplib::Response& res, ApiContext& ctx, Access access,
                               std::string_view node = {});
// Parses the body as a JSON object (nested at most kMaxJsonDepth deep, common/bounded_json.h); on
// failure answers 400 naming the problem and returns nullopt. Every route body goes through it.
std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res);
// The query parameter `limit`: `default_limit` when absent, else an integer from 1 to `max_limit`; anything
// else answers 400 naming `limit` and returns nullopt.
std::optional<int> ListLimit(const httplib::Request& req, httplib::Response& res, int default_limit,
                             int max_limit = kMaxListLimit);
// InvalidArgument "<prefix><key>: unknown field (allowed: a, b)" for the first key not in `known`.
Status CheckKnownFields(const nlohmann::json& body, std::initializer_list<std::string_view> known,
                        std::string_view prefix = "");
nlohmann::json NodeToJson(const NodeStatus& node, double now);
// {"id", "time" (RFC 3339), "reason", "source", "target", "jobs", "merged_alerts"}
nlohmann::json FailoverToJson(const FailoverRecord& record);

}  // namespace buildfarm::scheduler
