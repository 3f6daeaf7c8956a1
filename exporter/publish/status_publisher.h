// StatusUpdater: publishes the node's status document to git (nodes/<node>/status.json), the seed's
// status updater without its bloat: every interval (60 s by default) on a background thread, or once
// for `buildfarm-exporter publish --once` (cron).
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
// Thread safety: PublishOnce may be called from any thread (the publisher serializes flushes);
// Start/Stop are for the owning thread. The document function must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/git_publisher/publish_metrics.h"
#include "common/git_publisher/publisher.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/periodic_task.h"
#include "common/status.h"

#include <nlohmann/json.hpp>
#include "exporter/config.h"

namespace buildfarm::exporter {

class StatusUpdater {
 public:
  using DocumentFunction = std::function<Result<std::string>()>;

  static Result<std::unique_ptr<StatusUpdater>> Create(const PublishSettings& settings, const std::string& node_name,
                                                       DocumentFunction document, const Logger& log);
  ~StatusUpdater();

  // One round: build, validate, stage, flush. OK when the remote holds the document (pushed or
  // unchanged).
  Status PublishOnce();
  // Publishes every interval until Stop (the first round runs at once).
  void Start();
  void Stop();

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

  PeriodicTask task_;  // last: stopped before the members its rounds use are destroyed
};

}  // namespace buildfarm::exporter
