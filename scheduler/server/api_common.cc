// Shared pieces of the API handlers: JSON responses, error mapping, authentication, bodies.
#include <cmath>

#include "scheduler/server/api.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // Messages may quote request bytes that are not UTF-8: U+FFFD in their place, rather than a throw.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message, const std::string& field) {
  nlohmann::json body{{"error", message}};
  if (!field.empty()) body["field"] = field;
  SendJson(res, status, body);
}

void SendStatus(httplib::Response& res, const Status& status) {
  int code = 500;
  std::string field;
  switch (status.code()) {
    case StatusCode::kOk: code = 200; break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError: {
      code = 400;
      // "priority: want an integer" names the field; a leading word with spaces does not.
      auto colon = status.message().find(": ");
      if (colon != std::string::npos && status.message().find(' ') > colon) field = status.message().substr(0, colon);
      break;
    }
    case StatusCode::kNotFound: code = 404; break;
    case StatusCode::kConflict: code = 409; break;
    case StatusCode::kUnauthenticated: code = 401; break;
    case StatusCode::kPermissionDenied: code = 403; break;
    case StatusCode::kUnavailable: code = 503; break;
    default: code = 500; break;
  }
  SendError(res, code, status.message(), field);
}

std::optional<Principal> Admit(const httplib::Request& req, httplib::Response& res, ApiContext& ctx, Access access,
                               std::string_view node) {
  auto who = ctx.tokens.Authenticate(req.get_header_value("Authorization"));
  if (!who.ok()) {
    ctx.log.Info("unauthenticated", {{"method", req.method}, {"path", req.path}, {"source", req.remote_addr},
                                     {"reason", who.status().message()}});
    res.set_header("WWW-Authenticate", "Bearer");
    SendStatus(res, who.status());
    return std::nullopt;
  }
  Status allowed = Authorize(*who, access, node);
  if (!allowed.ok()) {
    ctx.log.Info("forbidden", {{"token", who->name}, {"method", req.method}, {"path", req.path}});
    SendStatus(res, allowed);
    return std::nullopt;
  }
  if (req.body.size() > kMaxBodyBytes) {
    SendError(res, 413, "body larger than 1 MiB");
    return std::nullopt;
  }
  // Who changed what: every non-GET request, with the token's name. Agents' own protocol calls (heartbeats
  // every few seconds) are logged at debug.
  if (req.method != "GET") {
    ctx.log.Log(who->role == Role::kAgent ? LogLevel::kDebug : LogLevel::kInfo, "request",
                {{"token", who->name}, {"method", req.method}, {"path", req.path}, {"source", req.remote_addr}});
  }
  return std::move(who).value();
}

std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    SendError(res, 400, "malformed JSON body", "body");
    return std::nullopt;
  }
  if (!body.is_object()) {
    SendError(res, 400, "want a JSON object", "body");
    return std::nullopt;
  }
  return body;
}

nlohmann::json NodeToJson(const NodeStatus& node, double now) {
  const NodeRecord& r = node.record;
  nlohmann::json out{{"name", r.name},
                     {"state", node.state},
                     {"labels", r.labels},
                     {"profiles", r.profiles},
                     {"capacity", {{"cores", r.capacity.cores}, {"memory_bytes", r.capacity.memory_bytes},
                                   {"disk_bytes", r.capacity.disk_bytes}}},
                     {"reservations", {{"cores", node.reservations.cores},
                                       {"memory_bytes", node.reservations.memory_bytes},
                                       {"disk_bytes", node.reservations.disk_bytes}}},
                     {"running_jobs", node.running_jobs},
                     {"last_heartbeat", FormatTimestamp(r.last_heartbeat)}};
  out["cordoned"] = r.cordoned;
  out["draining"] = r.draining;
  if (!node.backup.empty()) out["backup"] = node.backup;
  if (node.metrics) {
    const NodeMetrics& m = *node.metrics;
    nlohmann::json metrics{{"cpu_utilization", m.cpu_utilisation},
                           {"memory_available_bytes", m.memory_available_bytes},
                           {"disk_available_bytes", m.build_fs_available_bytes},
                           {"sampled_at", FormatTimestamp(ToUnix(m.sample_time))},
                           {"age_seconds", std::max(0.0, now - ToUnix(m.sample_time))}};
    if (m.max_temperature_celsius) metrics["temperature_celsius"] = *m.max_temperature_celsius;
    nlohmann::json rtt = nlohmann::json::object();
    for (const auto& [target, seconds] : m.probe_rtt_seconds) rtt[target] = seconds;
    metrics["probe_rtt_seconds"] = rtt;
    out["metrics"] = metrics;
  }
  return out;
}

}  // namespace buildfarm::scheduler
