// The scheduler's HTTP API (docs/api.md): routes for jobs, nodes and agents, plus /metrics, /healthz
// and /readyz. Every /api/v1/ route authenticates its bearer token and checks the caller's role before
// it reads the body; bodies over 1 MiB are refused with 413; errors are JSON {"error", "field"}.
//
// Handlers run on the HTTP server's threads and only touch thread-safe objects (the service and stores).
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/http_server.h"
#include "common/log.h"
#include "scheduler/server/auth.h"
#include "scheduler/server/secret_check.h"
#include "scheduler/server/service.h"
#include "scheduler/store/message_store.h"

namespace buildfarm::scheduler {

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;

class AlertReceiver;

struct ApiContext {
  SchedulerService& service;
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
  // Alert names allowed to fail a node over (config failover.alerts); the webhook drops the others.
  std::set<std::string> failover_alerts;
  // More Prometheus text for /metrics (the publisher's families); may be empty.
  std::function<std::string()> extra_metrics;
};

void RegisterJobRoutes(HttpServer& server, ApiContext& ctx);
void RegisterNodeRoutes(HttpServer& server, ApiContext& ctx);
void RegisterAgentRoutes(HttpServer& server, ApiContext& ctx);
void RegisterOpsRoutes(HttpServer& server, ApiContext& ctx);
void RegisterWebRoutes(HttpServer& server, ApiContext& ctx);  // api_web.cc: the page at `/`
void RegisterFailoverRoutes(HttpServer& server, ApiContext& ctx);
void RegisterMessageRoutes(HttpServer& server, ApiContext& ctx);
inline void RegisterAllRoutes(HttpServer& server, ApiContext& ctx) {
  RegisterJobRoutes(server, ctx);
  RegisterNodeRoutes(server, ctx);
  RegisterAgentRoutes(server, ctx);
  RegisterOpsRoutes(server, ctx);
  RegisterWebRoutes(server, ctx);
  RegisterFailoverRoutes(server, ctx);
  RegisterMessageRoutes(server, ctx);
}

// Helpers shared by the route files (api_common.cc).
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
void SendError(httplib::Response& res, int status, const std::string& message, const std::string& field = "");
// Maps a Status to its HTTP code; an InvalidArgument "field: what" names the field.
void SendStatus(httplib::Response& res, const Status& status);
// Authenticates and authorizes; on failure answers 401/403 (or 413 for a large body) and returns nullopt.
std::optional<Principal> Admit(const httplib::Request& req, httplib::Response& res, ApiContext& ctx, Access access,
                               std::string_view node = {});
// Parses the body as a JSON object; on failure answers 400 and returns nullopt.
std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res);
// buildfarm_messages_unread{to,priority} in the text format, appended to the service's /metrics.
std::string RenderMessageMetrics(ApiContext& ctx);
nlohmann::json NodeToJson(const NodeStatus& node, double now);
// {"id", "time" (RFC 3339), "reason", "source", "target", "jobs"}
nlohmann::json FailoverToJson(const FailoverRecord& record);

}  // namespace buildfarm::scheduler
