// Job routes: submit, list, get, cancel, retry, assign (pin), log (with follow) and explain.
#include <chrono>
#include <thread>

#include "common/json_schema/json_schema.h"
#include "common/text.h"
#include "scheduler/server/api.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

const char* kJob = R"(/api/v1/jobs/([^/]+))";

// A command is stored, shown by the API and published in coordination/jobs.json: one holding a likely
// secret is refused, naming the field and the kind of secret, never the secret.
Status CheckCommand(ApiContext& ctx, const JobSpec& spec, const std::string& prefix) {
  if (!ctx.secret_check) return Status::Ok();
  Status clean = ctx.secret_check(spec.command);
  if (clean.ok()) return clean;
  ctx.log.Warn("job refused", {{"field", prefix + "command"}, {"reason", clean.message()}});
  return InvalidArgument(prefix + "command: refused, " + clean.message());
}

void Submit(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kOperate)) return;
  auto body = JsonBody(req, res);
  if (!body) return;
  std::vector<JobSpec> batch;
  const bool graph = body->contains("jobs");
  if (graph) {
    const auto& jobs = (*body)["jobs"];
    if (!jobs.is_array() || jobs.empty() || body->size() != 1) {
      return SendError(res, 400, "want {\"jobs\": [job, ...]} with at least one job", "jobs");
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      auto spec = JobSpecFromJson(jobs[i]);
      if (!spec.ok()) {
        Status status = spec.status();
        return SendStatus(res, InvalidArgument("jobs/" + std::to_string(i) + "/" + status.message()));
      }
      const std::string prefix = "jobs/" + std::to_string(i) + "/";
      // Its own checks first: they say what is allowed, where the schema's pattern errors do not.
      Status valid = CheckJobSpec(*spec, prefix);
      if (!valid.ok()) return SendStatus(res, valid);
      valid = json_schema::Check("job/submission", jobs[i], prefix);
      if (!valid.ok()) return SendStatus(res, valid);
      Status clean = CheckCommand(ctx, *spec, prefix);
      if (!clean.ok()) return SendStatus(res, clean);
      batch.push_back(std::move(spec).value());
    }
  } else {
    auto spec = JobSpecFromJson(*body);
    if (!spec.ok()) return SendStatus(res, spec.status());
    Status valid = CheckJobSpec(*spec);
    if (!valid.ok()) return SendStatus(res, valid);
    valid = json_schema::Check("job/submission", *body);
    if (!valid.ok()) return SendStatus(res, valid);
    Status clean = CheckCommand(ctx, *spec, "");
    if (!clean.ok()) return SendStatus(res, clean);
    batch.push_back(std::move(spec).value());
  }
  auto stored = ctx.jobs.Submit(std::move(batch), NowSeconds());
  if (!stored.ok()) return SendStatus(res, stored.status());
  for (const Job& job : *stored) {
    ctx.service.metrics().TrackBranch(job.spec.branch);
    ctx.log.Info("job submitted", {{"job", job.spec.id}, {"status", JobStateName(job.state)}});
  }
  ctx.service.Wake();
  if (!graph) return SendJson(res, 201, JobToJson(stored->front()));
  nlohmann::json out = nlohmann::json::array();
  for (const Job& job : *stored) out.push_back(JobToJson(job));
  SendJson(res, 201, {{"jobs", out}});
}

void List(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  JobFilter filter;
  if (req.has_param("status") && !req.get_param_value("status").empty()) {
    filter.state = ParseJobState(req.get_param_value("status"));
    if (!filter.state) return SendError(res, 400, "unknown status " + req.get_param_value("status"), "status");
  }
  filter.node = req.get_param_value("node");
  filter.branch = req.get_param_value("branch");
  auto limit = ListLimit(req, res, 100);
  if (!limit) return;
  std::optional<std::int64_t> cursor;
  if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
    cursor = text::ParseInt64(req.get_param_value("cursor"));
    if (!cursor || *cursor < 0) return SendError(res, 400, "malformed cursor", "cursor");
  }
  auto page = ctx.jobs.List(filter, *limit, cursor);
  if (!page.ok()) return SendStatus(res, page.status());
  nlohmann::json jobs = nlohmann::json::array();
  for (const Job& job : page->jobs) jobs.push_back(JobToJson(job));
  nlohmann::json out{{"jobs", jobs}};
  if (page->next_cursor) out["next_cursor"] = std::to_string(*page->next_cursor);
  SendJson(res, 200, out);
}

void Get(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  auto job = ctx.jobs.Get(req.matches[1]);
  if (!job.ok()) return SendStatus(res, job.status());
  SendJson(res, 200, JobToJson(*job));
}

void Cancel(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kOperate)) return;
  auto before = ctx.jobs.Get(req.matches[1]);
  if (!before.ok()) return SendStatus(res, before.status());
  auto job = ctx.jobs.Cancel(req.matches[1], NowSeconds());
  if (!job.ok()) return SendStatus(res, job.status());
  ctx.log.Info("job cancelled", {{"job", job->spec.id}});
  Job left = *job;
  left.node = before->node;
  ctx.service.OnAttemptFinished(left, false);
  SendJson(res, 200, JobToJson(*job));
}

void Retry(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kOperate)) return;
  auto job = ctx.jobs.Retry(req.matches[1], NowSeconds());
  if (!job.ok()) return SendStatus(res, job.status());
  ctx.log.Info("job retried", {{"job", job->spec.id}});
  ctx.service.Wake();
  SendJson(res, 200, JobToJson(*job));
}

void Assign(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kOperate)) return;
  auto body = JsonBody(req, res);
  if (!body) return;
  if (Status known = CheckKnownFields(*body, {"node"}); !known.ok()) return SendStatus(res, known);
  auto node = body->find("node");
  if (node == body->end() || !node->is_string()) return SendError(res, 400, "node: want the name of a node", "node");
  if (Status valid = CheckNodeName(node->get<std::string>()); !valid.ok()) return SendStatus(res, valid);
  auto known = ctx.nodes.Get(node->get<std::string>());
  if (!known.ok()) return SendError(res, 400, "unknown node " + node->get<std::string>(), "node");
  auto job = ctx.jobs.Pin(req.matches[1], known->name);
  if (!job.ok()) return SendStatus(res, job.status());
  ctx.log.Info("job pinned", {{"job", job->spec.id}, {"node", known->name}});
  ctx.service.Wake();
  SendJson(res, 200, JobToJson(*job));
}

// A follower sees at most this much of a log's life in one request; it reconnects with ?offset= for more.
constexpr auto kMaxFollow = std::chrono::hours(1);

// Headers of a log read: where the next read starts and how long the log is so far.
void SetLogHeaders(httplib::Response& res, const LogSlice& slice) {
  res.set_header("X-Log-Next-Offset", std::to_string(slice.next_offset));
  res.set_header("X-Log-Size", std::to_string(slice.size));
}

void Log(ApiContext& ctx, const httplib::Request& req, httplib::Response& res, HttpServer::LongPermit permit) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  const std::string id = req.matches[1];
  std::int64_t offset = 0;
  if (req.has_param("offset")) {
    auto parsed = text::ParseInt64(req.get_param_value("offset"));
    if (!parsed || *parsed < 0) return SendError(res, 400, "want a non-negative byte offset", "offset");
    offset = *parsed;
  }
  std::int64_t limit = kMaxLogReadBytes;
  if (req.has_param("limit")) {
    auto parsed = text::ParseInt64(req.get_param_value("limit"));
    if (!parsed || *parsed < 1 || *parsed > kMaxLogReadBytes) {
      return SendError(res, 400, "limit: want a number of bytes from 1 to " + std::to_string(kMaxLogReadBytes), "limit");
    }
    limit = *parsed;
  }
  auto job = ctx.jobs.Get(id);
  if (!job.ok()) return SendStatus(res, job.status());
  if (job->log_expired_at) {
    return SendError(res, 410, "the log of job " + id + " expired at " + FormatTimestamp(*job->log_expired_at) +
                                   " (retention.logs); the job record is kept");
  }
  const std::string follow = req.get_param_value("follow");
  if (follow != "1" && follow != "true") {
    auto first = ctx.jobs.ReadLog(id, offset, limit);
    if (!first.ok()) return SendStatus(res, first.status());
    res.status = 200;
    SetLogHeaders(res, *first);
    res.set_content(first->data, "text/plain; charset=utf-8");
    return;
  }
  // Streams until the job is terminal and its log is drained; each round reads only the bytes past
  // the position, at most `limit` of them.
  SchedulerService* service = &ctx.service;
  JobStore* jobs = &ctx.jobs;
  auto position = std::make_shared<std::int64_t>(offset);
  const auto follow_until = std::chrono::steady_clock::now() + kMaxFollow;
  // The permit lives as long as the provider, so the stream counts against its token's long-request limit.
  res.set_chunked_content_provider("text/plain; charset=utf-8",
      [service, jobs, id, position, limit, follow_until, permit](std::size_t, httplib::DataSink& sink) {
        while (!service->stopping() && std::chrono::steady_clock::now() < follow_until) {
          auto job = jobs->Get(id);
          if (!job.ok()) break;
          const bool terminal = IsTerminal(job->state);
          auto chunk = jobs->ReadLog(id, *position, limit);
          if (!chunk.ok() || chunk->expired_at) break;
          if (!chunk->data.empty()) {
            *position = chunk->next_offset;
            return sink.write(chunk->data.data(), chunk->data.size());
          }
          if (terminal) break;
          if (!sink.is_writable()) return false;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        sink.done();
        return true;
      });
}

void ExplainRoute(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  auto explanation = ctx.service.ExplainJob(req.matches[1]);
  if (!explanation.ok()) return SendStatus(res, explanation.status());
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeExplanation& node : explanation->nodes) {
    nlohmann::json filters = nlohmann::json::array();
    for (const FilterExplanation& f : node.filters) {
      filters.push_back({{"plugin", f.plugin}, {"verdict", VerdictKindName(f.verdict)}, {"reason", f.reason}});
    }
    nlohmann::json scores = nlohmann::json::array();
    for (const ScoreExplanation& s : node.scores) {
      nlohmann::json score{{"plugin", s.plugin}, {"score", s.normalized}, {"weight", s.weight}};
      if (!s.ok) score["error"] = s.error;
      scores.push_back(score);
    }
    nodes.push_back({{"node", node.node}, {"feasible", node.feasible}, {"filters", filters},
                     {"scores", scores}, {"total", node.total}});
  }
  nlohmann::json out{{"job", explanation->job_id}, {"nodes", nodes}, {"feasible_nodes", explanation->feasible_nodes}};
  if (!explanation->best_node.empty()) out["best_node"] = explanation->best_node;
  SendJson(res, 200, out);
}

}  // namespace

void RegisterJobRoutes(HttpServer& server, ApiContext& ctx) {
  AuditedRoutes routes(server, ctx);
  using R = const httplib::Request&;
  using W = httplib::Response&;
  const std::string job = kJob;
  routes.Post("/api/v1/jobs", [&ctx](R req, W res) { Submit(ctx, req, res); });
  routes.Get("/api/v1/jobs", [&ctx](R req, W res) { List(ctx, req, res); });
  routes.Get(job, [&ctx](R req, W res) { Get(ctx, req, res); });
  routes.Post(job + "/cancel", [&ctx](R req, W res) { Cancel(ctx, req, res); });
  routes.Post(job + "/retry", [&ctx](R req, W res) { Retry(ctx, req, res); });
  routes.Post(job + "/assign", [&ctx](R req, W res) { Assign(ctx, req, res); });
  routes.GetLong(job + "/log",
                 [&ctx](R req, W res, HttpServer::LongPermit permit) { Log(ctx, req, res, std::move(permit)); });
  routes.Get(job + "/explain", [&ctx](R req, W res) { ExplainRoute(ctx, req, res); });
}

}  // namespace buildfarm::scheduler
