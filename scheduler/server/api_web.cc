// The web page at `/`: static files with a strict Content-Security-Policy, strong ETags, 304 on a
// matching If-None-Match, and the gzip copy made at startup when the client accepts it. No token is
// needed for the page; the API it calls still asks for one.
#include <memory>

#include "scheduler/server/api.h"
#include "scheduler/server/web_assets.h"
#include "scheduler/server/web_negotiation.h"

namespace buildfarm::scheduler {
namespace {

void ServeAsset(const WebAssets& assets, const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<const WebAsset> asset = assets.Find(req.path);
  if (!asset) {
    res.status = 404;
    res.set_content("not found\n", "text/plain; charset=utf-8");
    return;
  }
  res.set_header("Content-Security-Policy", kWebContentSecurityPolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-cache");  // revalidate by ETag: a new scheduler may bring a new page
  res.set_header("Vary", "Accept-Encoding");
  const bool gzip = !asset->gzip_body.empty() && AcceptsGzip(req.get_header_value("Accept-Encoding"));
  const std::string& etag = gzip ? asset->gzip_etag : asset->etag;
  res.set_header("ETag", etag);
  if (req.has_header("If-None-Match") && EtagMatches(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  if (gzip) res.set_header("Content-Encoding", "gzip");
  const std::string& body = gzip ? asset->gzip_body : asset->body;
  // A sized content provider, not set_content: httplib would compress a text body a second time.
  res.set_content_provider(body.size(), asset->content_type,
                           [asset, &body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return sink.write(body.data() + offset, length);
                           });
}

}  // namespace

void RegisterWebRoutes(HttpServer& server, ApiContext& ctx) {
  const std::string& dir = ctx.service.config().web_assets_dir;
  auto from_dir = dir.empty() ? Result<WebAssets>(NotFound("no --web.assets-dir")) : WebAssets::FromDirectory(dir);
  // RunScheduler has already refused a bad folder; an in-process caller falls back to the built-in page.
  if (!dir.empty() && !from_dir.ok()) ctx.log.Warn("serving the built-in page", {{"err", from_dir.status().message()}});
  auto assets = std::make_shared<const WebAssets>(from_dir.ok() ? std::move(from_dir).value() : WebAssets::Embedded());
  // File names only (no '/'), so the pattern cannot shadow /metrics, /healthz or /api/v1/.
  server.Get(R"(/|/[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[a-z]+)",
             [assets](const httplib::Request& req, httplib::Response& res) { ServeAsset(*assets, req, res); });
}

}  // namespace buildfarm::scheduler
