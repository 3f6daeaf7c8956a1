// Agent protocol routes: register, heartbeat, long-poll for assignments, and an attempt's start, log
// chunks and result. An agent token acts only for its own node: a report for an attempt of its own
// that has moved on is superseded (409); one for another node's live attempt is forbidden (403).
#include <algorithm>

#include "common/text.h"
#include "scheduler/server/agent_claims.h"
#include "scheduler/server/api.h"
#include "scheduler/server/retention.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

// job.schema.json's error_message limit. An attempt's result is recorded whatever its error text, so a
// longer text is cut (at a UTF-8 character boundary) rather than refused.
constexpr std::size_t kMaxErrorTextBytes = 8192;

std::string CappedErrorText(std::string text) {
  if (text.size() <= kMaxErrorTextBytes) return text;
  constexpr std::string_view kCut = " [truncated]";
  std::size_t keep = kMaxErrorTextBytes - kCut.size();
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  text.resize(keep);
  return text.append(kCut);
}

Status ReadStringMap(const nlohmann::json& body, const char* key, std::map<std::string, std::string>* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return InvalidArgument(std::string(key) + ": want an object of strings");
  for (auto& [k, v] : it->items()) {
    if (!v.is_string()) return InvalidArgument(std::string(key) + "/" + k + ": want a string");
    (*out)[k] = v.get<std::string>();
  }
  return Status::Ok();
}

Result<NodeRecord> NodeFromJson(const nlohmann::json& body) {
  BUILDFARM_RETURN_IF_ERROR(CheckKnownFields(body, {"name", "labels", "profiles", "capacity"}));
  NodeRecord node;
  auto name = body.find("name");
  if (name == body.end() || !name->is_string()) return InvalidArgument("name: want the node's name");
  node.name = name->get<std::string>();
  BUILDFARM_RETURN_IF_ERROR(CheckNodeName(node.name, "name"));
  BUILDFARM_RETURN_IF_ERROR(ReadStringMap(body, "labels", &node.labels));
  if (auto profiles = body.find("profiles"); profiles != body.end() && !profiles->is_null()) {
    if (!profiles->is_array()) return InvalidArgument("profiles: want a list of strings");
    for (std::size_t i = 0; i < profiles->size(); ++i) {
      if (!(*profiles)[i].is_string()) return InvalidArgument("profiles/" + std::to_string(i) + ": want a string");
      node.profiles.push_back((*profiles)[i].get<std::string>());
    }
  }
  if (auto capacity = body.find("capacity"); capacity != body.end() && !capacity->is_null()) {
    if (!capacity->is_object()) return InvalidArgument("capacity: want an object");
    for (auto& [key, value] : capacity->items()) {
      // The upper bound keeps the byte counts' conversion to int64 defined (and excludes infinity).
      if (!value.is_number() || value.get<double>() < 0 || !(value.get<double>() < 9.2e18)) {
        return InvalidArgument("capacity/" + key + ": want a non-negative number");
      }
      if (key == "cores") {
        node.capacity.cores = value.get<double>();
      } else if (key == "memory_bytes") {
        node.capacity.memory_bytes = value.get<std::int64_t>();
      } else if (key == "disk_bytes") {
        node.capacity.disk_bytes = value.get<std::int64_t>();
      } else {
        return InvalidArgument("capacity/" + key + ": unknown field");
      }
    }
  }
  return node;
}

void Register(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto who = Admit(req, res, ctx, Access::kAnyAgent);
  if (!who) return;
  auto body = JsonBody(req, res);
  if (!body) return;
  auto node = NodeFromJson(*body);
  if (!node.ok()) return SendStatus(res, node.status());
  if (Status bound = Authorize(*who, Access::kAgent, node->name); !bound.ok()) return SendStatus(res, bound);
  if (auto refused = CheckAgentClaims(*who, *node)) {
    ctx.log.Warn("registration refused", {{"token", who->name}, {"node", node->name}, {"reason", refused->message}});
    return SendError(res, 403, refused->message, refused->field);
  }
  auto stored = ctx.service.RegisterNode(std::move(node).value());
  if (!stored.ok()) return SendStatus(res, stored.status());
  auto status = ctx.status.GetNode(stored->name);
  if (!status.ok()) return SendStatus(res, status.status());
  const SchedulerConfig& config = ctx.service.config();
  SendJson(res, 200, {{"node", NodeToJson(*status, NowSeconds())},
                      {"heartbeat_seconds", config.heartbeat_seconds},
                      {"lease_seconds", config.lease_seconds}});
}

nlohmann::json AttemptsToJson(const std::vector<AttemptRef>& attempts) {
  nlohmann::json out = nlohmann::json::array();
  for (const AttemptRef& a : attempts) out.push_back({{"job_id", a.job_id}, {"attempt", a.attempt}});
  return out;
}

void Heartbeat(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string node = req.matches[1];
  if (!Admit(req, res, ctx, Access::kAgent, node)) return;
  std::vector<AttemptRef> running;
  if (!req.body.empty()) {
    auto body = JsonBody(req, res);
    if (!body) return;
    if (Status known = CheckKnownFields(*body, {"running"}); !known.ok()) return SendStatus(res, known);
    if (auto list = body->find("running"); list != body->end() && !list->is_null()) {
      if (!list->is_array()) return SendError(res, 400, "want a list of {job_id, attempt}", "running");
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& item = (*list)[i];
        const std::string at = "running/" + std::to_string(i);
        if (!item.is_object() || !item.contains("job_id") || !item["job_id"].is_string()) {
          return SendError(res, 400, at + "/job_id: want a job id", at + "/job_id");
        }
        if (Status known = CheckKnownFields(item, {"job_id", "attempt"}, at + "/"); !known.ok()) {
          return SendStatus(res, known);
        }
        if (!item.contains("attempt") || !item["attempt"].is_number_integer()) {
          return SendError(res, 400, at + "/attempt: want an attempt number", at + "/attempt");
        }
        running.push_back({item["job_id"].get<std::string>(), item["attempt"].get<int>()});
      }
    }
  }
  auto superseded = ctx.service.Heartbeat(node, running);
  if (!superseded.ok()) return SendStatus(res, superseded.status());
  SendJson(res, 200, {{"superseded", AttemptsToJson(*superseded)}});
}

void Assignments(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string node = req.matches[1];
  if (!Admit(req, res, ctx, Access::kAgent, node)) return;
  double wait = 20;
  if (req.has_param("wait_seconds")) {
    auto parsed = text::ParseDouble(req.get_param_value("wait_seconds"));
    if (!parsed || *parsed < 0) return SendError(res, 400, "want a non-negative number of seconds", "wait_seconds");
    wait = std::min(*parsed, 30.0);
  }
  if (!ctx.nodes.Get(node).ok()) return SendError(res, 404, "node " + node + " is not registered");
  auto jobs = ctx.service.WaitForAssignments(node, wait);
  if (!jobs.ok()) return SendStatus(res, jobs.status());
  nlohmann::json out = nlohmann::json::array();
  for (const Job& job : *jobs) out.push_back({{"job", JobToJson(job)}, {"attempt", job.attempt}});
  SendJson(res, 200, {{"assignments", out}});
}

int AttemptNumber(const httplib::Request& req) {
  return static_cast<int>(text::ParseInt64(req.matches[2].str()).value_or(-1));
}

// The node an attempt report acts for: the agent's own node, or for an admin the job's current node.
// An agent naming the live attempt of another node is refused with 403 (wrong node, docs/api.md);
// its own earlier attempt that has moved on is superseded (409, answered by the store).
std::optional<std::string> ReportingNode(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                                         Job* job) {
  auto who = Admit(req, res, ctx, Access::kAnyAgent);
  if (!who) return std::nullopt;
  auto found = ctx.jobs.Get(req.matches[1]);
  if (!found.ok()) {
    SendStatus(res, found.status());
    return std::nullopt;
  }
  *job = std::move(found).value();
  if (who->role != Role::kAgent) return job->node;
  const bool live = job->state == JobState::kAssigned || job->state == JobState::kRunning;
  if (live && job->attempt == AttemptNumber(req) && !job->node.empty() && job->node != who->node) {
    ctx.log.Info("forbidden", {{"token", who->name}, {"method", req.method}, {"path", req.path}});
    SendError(res, 403, "token of node " + who->node + " may not act on attempt " + std::to_string(job->attempt) +
                            " of job " + job->spec.id + ", which belongs to node " + job->node);
    return std::nullopt;
  }
  return who->node;
}

void Start(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  Job job;
  auto node = ReportingNode(ctx, req, res, &job);
  if (!node) return;
  auto started = ctx.jobs.StartAttempt(job.spec.id, AttemptNumber(req), *node, NowSeconds());
  if (!started.ok()) return SendStatus(res, started.status());
  ctx.log.Info("attempt started", {{"job", job.spec.id}, {"attempt", std::to_string(AttemptNumber(req))}, {"node", *node}});
  SendJson(res, 200, JobToJson(*started));
}

void AppendLog(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  Job job;
  auto node = ReportingNode(ctx, req, res, &job);
  if (!node) return;
  const int attempt = AttemptNumber(req);
  if (job.attempt != attempt || job.node != *node) {
    return SendError(res, 409, "attempt " + std::to_string(attempt) + " of job " + job.spec.id + " is superseded");
  }
  auto appended = ctx.jobs.AppendLog(job.spec.id, attempt, req.body, ctx.max_log_bytes_per_attempt);
  if (!appended.ok()) return SendStatus(res, appended.status());
  if (appended->truncated_now) {
    if (ctx.retention_metrics != nullptr) ctx.retention_metrics->CountTruncation();
    ctx.log.Warn("log truncated", {{"job", job.spec.id}, {"attempt", std::to_string(attempt)},
                                   {"max_bytes", std::to_string(ctx.max_log_bytes_per_attempt)}});
  }
  nlohmann::json out{{"appended_bytes", appended->appended_bytes}};
  // The agent stops sending this attempt's log once it reads truncated.
  if (appended->truncated) out["truncated"] = true;
  SendJson(res, 200, out);
}

void ReportResult(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  Job job;
  auto node = ReportingNode(ctx, req, res, &job);
  if (!node) return;
  auto body = JsonBody(req, res);
  if (!body) return;
  if (Status known = CheckKnownFields(*body, {"exit_code", "duration_seconds", "error"}); !known.ok()) {
    return SendStatus(res, known);
  }
  AttemptResult result;
  auto exit_code = body->find("exit_code");
  if (exit_code == body->end() || !exit_code->is_number_integer()) {
    return SendError(res, 400, "want the integer exit code", "exit_code");
  }
  result.exit_code = exit_code->get<std::int64_t>();
  if (auto duration = body->find("duration_seconds"); duration != body->end() && !duration->is_null()) {
    if (!duration->is_number() || duration->get<double>() < 0) {
      return SendError(res, 400, "want a non-negative number of seconds", "duration_seconds");
    }
    result.duration_seconds = duration->get<double>();
  }
  if (auto error = body->find("error"); error != body->end() && !error->is_null()) {
    if (!error->is_string()) return SendError(res, 400, "want a string", "error");
    result.error_message = CappedErrorText(error->get<std::string>());
  }
  const int attempt = AttemptNumber(req);
  auto finished = ctx.jobs.FinishAttempt(job.spec.id, attempt, *node, result, NowSeconds());
  if (!finished.ok()) return SendStatus(res, finished.status());
  ctx.log.Info("attempt finished", {{"job", job.spec.id}, {"attempt", std::to_string(attempt)}, {"node", *node},
                                    {"status", JobStateName(finished->state)}});
  ctx.service.OnAttemptFinished(*finished, true);
  SendJson(res, 200, JobToJson(*finished));
}

}  // namespace

void RegisterAgentRoutes(HttpServer& server, ApiContext& ctx) {
  AuditedRoutes routes(server, ctx);
  using R = const httplib::Request&;
  using W = httplib::Response&;
  const std::string attempt = R"(/api/v1/jobs/([^/]+)/attempts/([0-9]{1,9}))";
  routes.Post("/api/v1/agents/register", [&ctx](R req, W res) { Register(ctx, req, res); });
  routes.Post(R"(/api/v1/agents/([^/]+)/heartbeat)", [&ctx](R req, W res) { Heartbeat(ctx, req, res); });
  routes.GetLong(R"(/api/v1/agents/([^/]+)/assignments)",
                 [&ctx](R req, W res, HttpServer::LongPermit) { Assignments(ctx, req, res); });
  routes.Post(attempt + "/start", [&ctx](R req, W res) { Start(ctx, req, res); });
  routes.Post(attempt + "/log", [&ctx](R req, W res) { AppendLog(ctx, req, res); });
  routes.Post(attempt + "/result", [&ctx](R req, W res) { ReportResult(ctx, req, res); });
}

}  // namespace buildfarm::scheduler
