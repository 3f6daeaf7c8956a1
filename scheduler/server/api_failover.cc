// Failover routes: the Alertmanager webhook, manual failover and the failover records.
#include "scheduler/server/alert_receiver.h"
#include "scheduler/server/api.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

void Webhook(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kWebhook)) return;
  auto notification = ParseAlertmanagerPayload(req.body);
  if (!notification.ok()) return SendStatus(res, notification.status());
  // What the alerts may do (action, failover.alerts, merging) is the receiver's policy, applied by its worker.
  const std::size_t count = notification->alerts.size();
  if (!ctx.alerts.Enqueue(std::move(notification).value())) {
    // Alertmanager retries a non-2xx later; a full queue means the worker is far behind.
    return SendError(res, 503, "alert queue full; retry later");
  }
  SendJson(res, 200, {{"status", "accepted"}, {"alerts", count}});
}

void ManualFailover(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto who = Admit(req, res, ctx, Access::kAdmin);
  if (!who) return;
  const std::string source = req.matches[1];
  if (!ctx.nodes.Get(source).ok()) return SendError(res, 404, "node " + source + " not found");
  auto body = JsonBody(req, res);
  if (!body) return;
  auto to = body->find("to");
  if (to == body->end() || !to->is_string() || to->get_ref<const std::string&>().empty()) {
    return SendError(res, 400, "want the target node's name", "to");
  }
  const std::string target = to->get<std::string>();
  if (target == source) return SendError(res, 400, "cannot fail a node over to itself", "to");
  if (!ctx.nodes.Get(target).ok()) return SendError(res, 400, "node " + target + " not found", "to");
  auto record = ctx.database.RunInTransaction([&]() -> Result<FailoverRecord> {
    // The operator takes the node over: an alert's later resolution must not uncordon it.
    BUILDFARM_RETURN_IF_ERROR(ctx.failovers.ForgetAlertState(source));
    return ctx.failover.FailOver(source, "manual", target, /*cordon=*/true, NowSeconds());
  });
  if (!record.ok()) return SendStatus(res, record.status());
  ctx.log.Info("manual failover", {{"node", source}, {"to", target}, {"by", who->name}});
  SendJson(res, 200, FailoverToJson(*record));
}

void ListFailovers(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res, ctx, Access::kRead)) return;
  auto limit = ListLimit(req, res, 100);
  if (!limit) return;
  // One row past the limit tells whether there are more.
  auto records = ctx.failovers.List(*limit + 1);
  if (!records.ok()) return SendStatus(res, records.status());
  nlohmann::json out = nlohmann::json::array();
  for (const FailoverRecord& record : *records) {
    if (static_cast<int>(out.size()) == *limit) break;
    out.push_back(FailoverToJson(record));
  }
  nlohmann::json reply{{"failovers", out}};
  if (static_cast<int>(records->size()) > *limit) reply["truncated"] = true;
  SendJson(res, 200, reply);
}

}  // namespace

nlohmann::json FailoverToJson(const FailoverRecord& record) {
  return {{"id", record.id},         {"time", FormatTimestamp(record.at)}, {"reason", record.reason},
          {"source", record.source}, {"target", record.target},          {"jobs", record.jobs},
          {"merged_alerts", record.merged_alerts}};
}

void RegisterFailoverRoutes(HttpServer& server, ApiContext& ctx) {
  AuditedRoutes routes(server, ctx);
  using R = const httplib::Request&;
  using W = httplib::Response&;
  routes.Post("/api/v1/alertmanager", [&ctx](R req, W res) { Webhook(ctx, req, res); });
  routes.Post(R"(/api/v1/nodes/([^/]+)/failover)", [&ctx](R req, W res) { ManualFailover(ctx, req, res); });
  routes.Get("/api/v1/failovers", [&ctx](R req, W res) { ListFailovers(ctx, req, res); });
}

}  // namespace buildfarm::scheduler
