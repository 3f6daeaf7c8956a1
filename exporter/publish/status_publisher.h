// StatusUpdater: publishes the node's status document to git (nodes/<node>/status.json), the seed's
// status updater without its bloat. It lives in buildfarm-exporter-publish only (the one program that
// links libgit2 on a node): rounds every interval (60 s by default) for the exporter's publishing child,
// or once for `buildfarm-exporter publish --once` (cron).
//
// Each round builds the document, checks it against schemas/status.schema.json (a document that does
// not validate is logged and not published), stages it and flushes the git_publisher::Publisher.
// With publish.scheduler_url, each round first asks the scheduler for the node's history
// (GET /api/v1/nodes/<node> with the viewer token from publish.token_file, publish.scheduler_timeout)
// and puts it in the document's `metrics` (builds_today, ..., uptime_percent); when the scheduler does
// not answer, `metrics` is left out (it is optional in the schema) and a debug line says why.
// A flush that fails keeps the latest document staged; the next round retries. Timestamp-only changes
// make no commit (see content_change.h). The publisher's metrics are exposed through metrics().
//
// Thread safety: PublishOnce may be called from any thread (the publisher serializes flushes). The
// document function is called on PublishOnce's thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/git_publisher/publish_metrics.h"
#include "common/git_publisher/publisher.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/status.h"

#include <nlohmann/json.hpp>
#include "exporter/config.h"

namespace buildfarm::exporter {

class StatusUpdater {
 public:
  using DocumentFunction = std::function<Result<std::string>()>;

  static Result<std::unique_ptr<StatusUpdater>> Create(const PublishSettings& settings, const std::string& node_name,
                                                       DocumentFunction document, const Logger& log);

  // One round: build, validate, stage, flush. OK when the remote holds the document (pushed or
  // unchanged).
  Status PublishOnce();
  git_publisher::PublishMetrics& metrics() { return metrics_; }

 private:
  StatusUpdater(const PublishSettings& settings, std::string node_name, std::string path, DocumentFunction document,
                const Logger& log)
      : settings_(settings), node_name_(std::move(node_name)), path_(std::move(path)), document_(std::move(document)),
        log_(log) {}
  // The scheduler's `history` for this node, or nullopt (logged at debug) when it is not available.
  std::optional<nlohmann::json> FetchHistory();

  const PublishSettings settings_;
  const std::string node_name_;
  const std::string path_;
  DocumentFunction document_;
  const Logger& log_;
  git_publisher::PublishMetrics metrics_;
  std::unique_ptr<git_publisher::Publisher> publisher_;
  std::unique_ptr<HttpClient> scheduler_;  // with publish.scheduler_url
};

}  // namespace buildfarm::exporter
