#include "exporter/publish/status_publisher.h"

#include <nlohmann/json.hpp>

#include "common/file_reader.h"
#include "common/json_schema/json_schema.h"
#include "common/secret_file.h"
#include "common/text.h"

namespace buildfarm::exporter {

Result<std::unique_ptr<StatusUpdater>> StatusUpdater::Create(const PublishSettings& settings,
                                                             const std::string& node_name, DocumentFunction document,
                                                             const Logger& log) {
  std::string path = "nodes/" + node_name + "/status.json";
  Status valid_path = git_publisher::ValidatePublishPath(path);
  if (!valid_path.ok()) return InvalidArgument("node_name " + node_name + ": not usable in a path");
  std::unique_ptr<StatusUpdater> updater(new StatusUpdater(settings, node_name, std::move(path), std::move(document), log));
  if (!settings.scheduler_url.empty()) {
    auto token = ReadSecretFile(settings.token_file, "publish.token_file");
    if (!token.ok()) return token.status();
    const std::string& trimmed = *token;
    const double timeout = settings.scheduler_timeout_seconds;
    auto client = HttpClient::Create(settings.scheduler_url, trimmed, timeout, timeout, timeout,
                                     TlsClientOptions{.ca_file = settings.scheduler_ca_file});
    if (!client.ok()) return InvalidArgument("publish.scheduler_url: " + client.status().message());
    updater->scheduler_ = std::move(client).value();
  }
  auto options = git_publisher::ToPublisherOptions(settings);
  auto publisher = git_publisher::Publisher::Open(std::move(options), log, &updater->metrics_);
  if (!publisher.ok()) return publisher.status().WithContext("publish");
  updater->publisher_ = std::move(publisher).value();
  return updater;
}

std::optional<nlohmann::json> StatusUpdater::FetchHistory() {
  auto reply = scheduler_->Get("/api/v1/nodes/" + node_name_);
  std::string why;
  if (!reply.ok()) {
    why = reply.status().ToString();
  } else if (reply->status != 200) {
    why = "HTTP " + std::to_string(reply->status);
  } else {
    auto node = nlohmann::json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
    if (node.is_object() && node.contains("history") && node["history"].is_object()) return node["history"];
    why = "no history in the answer";
  }
  log_.Debug("status metrics left out: scheduler history unavailable", {{"node", node_name_}, {"err", why}});
  return std::nullopt;
}

Status StatusUpdater::PublishOnce() {
  auto document = document_();
  if (!document.ok()) return document.status().WithContext("status document");
  // Nothing that breaks the published schema leaves the node: readers of the repository rely on it.
  auto parsed = nlohmann::json::parse(*document, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Internal("status document is not JSON");
  if (scheduler_) {
    if (auto history = FetchHistory()) {
      parsed["metrics"] = std::move(*history);
      document = parsed.dump(2) + "\n";
    }
  }
  BUILDFARM_RETURN_IF_ERROR(json_schema::Check("status", parsed).WithContext("status document"));
  BUILDFARM_RETURN_IF_ERROR(publisher_->Stage(path_, std::move(document).value()));
  auto flushed = publisher_->Flush();
  if (!flushed.ok()) return flushed.status();
  log_.Debug("status published", {{"path", path_},
                                  {"result", *flushed == git_publisher::FlushResult::kPushed ? "pushed" : "unchanged"}});
  return Status::Ok();
}

}  // namespace buildfarm::exporter
