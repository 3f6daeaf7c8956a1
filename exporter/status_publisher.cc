#include "exporter/status_publisher.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/json_schema/json_schema.h"

namespace buildfarm::exporter {

Result<std::unique_ptr<StatusUpdater>> StatusUpdater::Create(const PublishSettings& settings,
                                                             const std::string& node_name, DocumentFunction document,
                                                             const Logger& log) {
  std::string path = "nodes/" + node_name + "/status.json";
  Status valid_path = git_publisher::ValidatePublishPath(path);
  if (!valid_path.ok()) return InvalidArgument("node_name " + node_name + ": not usable in a path");
  std::unique_ptr<StatusUpdater> updater(new StatusUpdater(settings, std::move(path), std::move(document), log));
  auto options = git_publisher::ToPublisherOptions(settings);
  auto publisher = git_publisher::Publisher::Open(std::move(options), log, &updater->metrics_);
  if (!publisher.ok()) return publisher.status().WithContext("publish");
  updater->publisher_ = std::move(publisher).value();
  return updater;
}

StatusUpdater::~StatusUpdater() { Stop(); }

Status StatusUpdater::PublishOnce() {
  auto document = document_();
  if (!document.ok()) return document.status().WithContext("status document");
  // Nothing that breaks the published schema leaves the node: readers of the repository rely on it.
  const auto parsed = nlohmann::json::parse(*document, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Internal("status document is not JSON");
  BUILDFARM_RETURN_IF_ERROR(json_schema::Check("status", parsed).WithContext("status document"));
  BUILDFARM_RETURN_IF_ERROR(publisher_->Stage(path_, std::move(document).value()));
  auto flushed = publisher_->Flush();
  if (!flushed.ok()) return flushed.status();
  log_.Debug("status published", {{"path", path_},
                                  {"result", *flushed == git_publisher::FlushResult::kPushed ? "pushed" : "unchanged"}});
  return Status::Ok();
}

void StatusUpdater::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void StatusUpdater::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatusUpdater::Loop() {
  const auto interval = std::chrono::duration<double>(settings_.interval_seconds);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Status published = PublishOnce();
    if (!published.ok()) log_.Warn("status publish failed", {{"err", published.ToString()}, {"path", path_}});
    lock.lock();
    wake_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

}  // namespace buildfarm::exporter
