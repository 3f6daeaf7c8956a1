// Unauthenticated operational routes: /metrics, /healthz, /readyz and the landing page.
#include "common/prometheus_text.h"
#include "scheduler/server/api.h"

namespace buildfarm::scheduler {

void RegisterOpsRoutes(HttpServer& server, ApiContext& ctx) {
  using R = const httplib::Request&;
  using W = httplib::Response&;
  server.Get("/metrics", [&ctx](R, W res) {
    res.status = 200;
    res.set_content(ctx.service.RenderMetrics() + RenderMessageMetrics(ctx), kPrometheusTextContentType);
  });
  server.Get("/healthz", [](R, W res) {
    res.status = 200;
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server.Get("/readyz", [&ctx](R, W res) {
    std::string why;
    if (ctx.service.Ready(&why)) {
      res.status = 200;
      res.set_content("ready\n", "text/plain; charset=utf-8");
    } else {
      SendError(res, 503, why);
    }
  });
  server.Get("/", [](R, W res) {
    res.status = 200;
    res.set_content("<!DOCTYPE html>\n<html><head><title>buildfarm-scheduler</title></head><body>\n"
                    "<h1>buildfarm-scheduler</h1>\n<ul><li><a href=\"/metrics\">Metrics</a></li>\n"
                    "<li><a href=\"/readyz\">Readiness</a></li></ul>\n</body></html>\n",
                    "text/html; charset=utf-8");
  });
}

}  // namespace buildfarm::scheduler
