// Shared pieces of the API handlers: JSON responses, error mapping, authentication, bodies.
#include <algorithm>
#include <cmath>
#include <regex>

#include "common/bounded_json.h"
#include "common/text.h"
#include "scheduler/server/api.h"
#include "scheduler/server/cert_identity.h"
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
  // An agent with a verified client certificate and no token is known by its certificate (cert_identity.h).
  auto certified = PrincipalFromClientCertificate(req);
  auto who = certified ? Result<Principal>(*certified) : ctx.tokens.Authenticate(req.get_header_value("Authorization"));
  if (!who.ok()) {
    // The reason (unknown, expired, revoked) is for the log and the audit log; the client learns only that
    // the token was not accepted.
    ctx.log.Info("unauthenticated", {{"method", req.method}, {"path", req.path}, {"source", req.remote_addr},
                                     {"reason", who.status().message()}});
    NoteRefused("", who.status().message());
    res.set_header("WWW-Authenticate", "Bearer");
    if (who.status().code() != StatusCode::kUnauthenticated) {
      SendStatus(res, who.status());  // the store failed: 500/503, not the caller's fault
    } else if (req.get_header_value("Authorization").empty()) {
      SendError(res, 401, "missing bearer token", "Authorization");
    } else {
      SendError(res, 401, "unknown or expired token", "Authorization");
    }
    return std::nullopt;
  }
  Status allowed = Authorize(*who, access, node);
  if (!allowed.ok()) {
    ctx.log.Info("forbidden", {{"token", who->name}, {"method", req.method}, {"path", req.path}});
    NoteRefused(who->name, allowed.message());
    SendStatus(res, allowed);
    return std::nullopt;
  }
  NoteAdmitted(*who);
  if (req.body.size() > kMaxBodyBytes) {
    SendError(res, 413, "body larger than 1 MiB", "body");
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

std::optional<int> ListLimit(const httplib::Request& req, httplib::Response& res, int default_limit, int max_limit) {
  if (!req.has_param("limit")) return default_limit;
  auto parsed = text::ParseInt64(req.get_param_value("limit"));
  if (!parsed || *parsed < 1 || *parsed > max_limit) {
    SendError(res, 400, "limit: want an integer from 1 to " + std::to_string(max_limit), "limit");
    return std::nullopt;
  }
  return static_cast<int>(*parsed);
}

std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBoundedJson(req.body, "body");
  if (!body.ok()) {
    SendStatus(res, body.status());
    return std::nullopt;
  }
  if (!body->is_object()) {
    SendError(res, 400, "body: want a JSON object", "body");
    return std::nullopt;
  }
  return std::move(body).value();
}

Status CheckKnownFields(const nlohmann::json& body, std::initializer_list<std::string_view> known,
                        std::string_view prefix) {
  for (const auto& [key, unused] : body.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string allowed;
    for (std::string_view name : known) allowed.append(allowed.empty() ? "" : ", ").append(name);
    return InvalidArgument(std::string(prefix).append(key).append(": unknown field (allowed: ").append(allowed).append(")"));
  }
  return Status::Ok();
}

void InstallErrorBodies(HttpServer& server) {
  struct KnownRoute {
    std::string method;
    std::regex pattern;
  };
  auto routes = std::make_shared<std::vector<KnownRoute>>();
  for (const HttpRoute& route : server.Routes()) routes->push_back({route.method, std::regex(route.pattern)});
  // Only answers that would otherwise go out empty: httplib's own (before routing) and bare statuses.
  server.SetErrorHandler([routes](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    switch (res.status) {
      case 404: {
        std::string allow;
        for (const KnownRoute& route : *routes) {
          if (!std::regex_match(req.path, route.pattern) || allow.find(route.method) != std::string::npos) continue;
          allow += (allow.empty() ? "" : ", ") + route.method;
        }
        if (allow.empty()) return SendError(res, 404, "no route " + req.path + " (see docs/api.md)", "path");
        res.set_header("Allow", allow);
        return SendError(res, 405, "method " + req.method + " not allowed on " + req.path + "; allowed: " + allow,
                         "method");
      }
      case 400:
        if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
          return SendError(res, 400, "a request with a body needs a Content-Length header", "Content-Length");
        }
        return SendError(res, 400, "malformed HTTP request");
      case 413:
        if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
          return SendError(res, 413, "form-encoded bodies are limited to 8 KiB; send application/json (up to 1 MiB)",
                           "body");
        }
        return SendError(res, 413, "body larger than 1 MiB", "body");
      default:
        return SendError(res, res.status, "request refused (HTTP " + std::to_string(res.status) + ")");
    }
  });
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
