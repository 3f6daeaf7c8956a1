// Node routes: list and get (with each node's build and uptime history), cordon, uncordon, drain; and the
// farm's job counts (GET /api/v1/summary).
#include "scheduler/server/api.h"

namespace buildfarm::scheduler {
namespace {

// NodeToJson plus `history` (status.schema.json `metrics`, see node_history.h); left out when the
// store cannot answer, so a listing still works.
nlohmann::json NodeWithHistory(ApiContext& ctx, const NodeStatus& node, double now) {
  nlohmann::json out = NodeToJson(node, now);
  const double since = now - kHistoryWindowSeconds;
  auto builds = ctx.jobs.BuildsOnNode(node.record.name, since);
  auto changes = ctx.nodes.StateChanges(node.record.name, since);
  if (builds.ok() && changes.ok()) {
    out["history"] = NodeHistoryToJson(ComputeNodeHistory(*builds, *changes, now));
  } else {
    ctx.log.Warn("node history unavailable", {{"node", node.record.name},
                                              {"err", (builds.ok() ? changes.status() : builds.status()).ToString()}});
  }
  return out;
}

void List(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  const double now = NowSeconds();
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeStatus& node : ctx.status.ListNodes()) nodes.push_back(NodeWithHistory(ctx, node, now));
  SendJson(res, 200, {{"nodes", nodes}});
}

// The farm's job counts by state, counted now: /metrics caches its counts (metrics.store_refresh) because it
// needs no token, but an operator who just submitted a job expects to see it counted.
void FarmSummary(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  auto counts = ctx.jobs.CountByState();
  if (!counts.ok()) return SendStatus(res, counts.status());
  nlohmann::json jobs = nlohmann::json::object();
  for (JobState state : {JobState::kBlocked, JobState::kQueued, JobState::kAssigned, JobState::kRunning,
                         JobState::kCompleted, JobState::kFailed, JobState::kCancelled}) {
    auto found = counts->find(state);
    jobs[std::string(JobStateName(state))] = found == counts->end() ? 0 : found->second;
  }
  SendJson(res, 200, {{"jobs", jobs}});
}

void Get(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  auto node = ctx.status.GetNode(req.matches[1]);
  if (!node.ok()) return SendStatus(res, node.status());
  SendJson(res, 200, NodeWithHistory(ctx, *node, NowSeconds()));
}

void Change(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kAdmin)) return;
  const std::string name = req.matches[1];
  const std::string action = req.matches[2];
  Status status = ctx.database.RunInTransaction([&]() -> Status {
    if (action == "cordon") {
      BUILDFARM_RETURN_IF_ERROR(ctx.nodes.SetCordoned(name, true));
    } else if (action == "drain") {
      BUILDFARM_RETURN_IF_ERROR(ctx.nodes.SetDraining(name, true));
    } else {
      BUILDFARM_RETURN_IF_ERROR(ctx.nodes.SetReady(name));
    }
    // The operator's decision replaces any alert's: a later resolution must not undo it.
    return ctx.failovers.ForgetAlertState(name);
  });
  if (!status.ok()) return SendStatus(res, status);
  auto who = ctx.tokens.Authenticate(req.get_header_value("Authorization"));
  ctx.log.Info("node " + action, {{"node", name}, {"by", who.ok() ? who->name : ""}});
  ctx.service.Wake();
  auto node = ctx.status.GetNode(name);
  if (!node.ok()) return SendStatus(res, node.status());
  SendJson(res, 200, NodeToJson(*node, NowSeconds()));
}

}  // namespace

void RegisterNodeRoutes(HttpServer& server, ApiContext& ctx) {
  AuditedRoutes routes(server, ctx);
  using R = const httplib::Request&;
  using W = httplib::Response&;
  routes.Get("/api/v1/nodes", [&ctx](R req, W res) { List(ctx, req, res); });
  routes.Get("/api/v1/summary", [&ctx](R req, W res) { FarmSummary(ctx, req, res); });
  routes.Get(R"(/api/v1/nodes/([^/]+))", [&ctx](R req, W res) { Get(ctx, req, res); });
  routes.Post(R"(/api/v1/nodes/([^/]+)/(cordon|uncordon|drain))", [&ctx](R req, W res) { Change(ctx, req, res); });
}

}  // namespace buildfarm::scheduler
