// Unauthenticated operational routes: /metrics, /healthz, /readyz (the page at `/` is api_web.cc).
#include "common/prometheus_text.h"
#include "scheduler/server/api.h"

namespace buildfarm::scheduler {

void RegisterOpsRoutes(HttpServer& server, ApiContext& ctx) {
  using R = const httplib::Request&;
  using W = httplib::Response&;
  server.Get("/metrics", [&ctx](R, W res) {
    res.status = 200;
    std::string text = ctx.status.RenderMetrics();
    if (ctx.extra_metrics) text += ctx.extra_metrics();
    res.set_content(text, kPrometheusTextContentType);
  });
  server.Get("/healthz", [](R, W res) {
    res.status = 200;
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server.Get("/readyz", [&ctx](R, W res) {
    std::string why;
    if (ctx.status.Ready(&why)) {
      res.status = 200;
      res.set_content("ready\n", "text/plain; charset=utf-8");
    } else {
      SendError(res, 503, why);
    }
  });
}

}  // namespace buildfarm::scheduler
