// SchedulerApp: buildfarm-scheduler put together — stores, profile, service, HTTP API and the git
// publisher (when `publish:` is configured) — so the
// daemon (main.cc) and in-process tests assemble it the same way. RunScheduler is the daemon's main:
// flags, config, signals; a bad flag or config key prints one line naming it and exits 2.
//
// Start() and Stop() are called from one thread; the running app is driven by its own threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/git_publisher/publish_metrics.h"
#include "common/http_server.h"
#include "common/log.h"
#include "scheduler/framework/profile.h"
#include "scheduler/metrics_source/metrics_source.h"
#include "scheduler/server/api.h"
#include "scheduler/server/alert_receiver.h"
#include "scheduler/server/auth.h"
#include "scheduler/server/config.h"
#include "scheduler/server/coordination_publisher.h"
#include "scheduler/server/message_metrics.h"
#include "scheduler/server/retention.h"
#include "scheduler/server/service.h"
#include "scheduler/store/audit_store.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/message_store.h"
#include "scheduler/store/node_store.h"
#include "scheduler/store/token_store.h"

namespace buildfarm::scheduler {

class SchedulerApp {
 public:
  SchedulerApp(SchedulerConfig config, std::shared_ptr<MetricsSource> metrics_source, const Logger& log);
  ~SchedulerApp();

  // Opens the store, builds the profile, starts the service and listens. Errors name what failed.
  // `web_config` (web_config.h) may add TLS, headers and basic auth to the listeners; null: plain HTTP.
  Status Start(std::vector<std::string> listen_addresses, std::shared_ptr<const WebConfig> web_config = nullptr);
  void Stop();
  void Wait() { http_->Wait(); }

  std::vector<std::string> BoundAddresses() const { return http_->BoundAddresses(); }
  // The routes the running app serves, as registered (after Start()).
  std::vector<HttpRoute> Routes() const { return http_->Routes(); }
  SchedulerService& service() { return *service_; }
  Database& database() { return *database_; }
  JobStore& jobs() { return *jobs_; }
  NodeStore& nodes() { return *nodes_; }
  FailoverStore& failovers() { return *failovers_; }
  AlertReceiver& alerts() { return *alerts_; }
  MessageStore& messages() { return *messages_; }
  TokenStore& token_store() { return *token_store_; }
  AuditStore& audit() { return *audit_; }
  RetentionSweeper& retention() { return *retention_; }
  RetentionMetrics& retention_metrics() { return retention_metrics_; }
  // The message and job APIs refuse likely secrets with git_publisher's secret guard (FindLikelySecret), counted
  // in buildfarm_publish_refused_total{reason}; tests may replace the check before Start().
  void SetSecretCheck(SecretCheck check) { secret_check_ = std::move(check); }

 private:
  std::string RenderPublishMetrics();

  SchedulerConfig config_;
  std::shared_ptr<MetricsSource> metrics_source_;
  const Logger& log_;
  std::shared_ptr<Database> database_;  // the one connection the stores share
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<NodeStore> nodes_;
  std::unique_ptr<FailoverStore> failovers_;
  std::unique_ptr<MessageStore> messages_;
  std::unique_ptr<TokenStore> token_store_;
  std::unique_ptr<AuditStore> audit_;
  std::unique_ptr<Profile> profile_;
  std::unique_ptr<TokenTable> tokens_;
  std::unique_ptr<SchedulerService> service_;
  std::unique_ptr<AlertReceiver> alerts_;
  std::unique_ptr<ApiContext> api_;
  std::unique_ptr<MessageMetrics> message_metrics_;
  git_publisher::PublishMetrics publish_metrics_;
  RetentionMetrics retention_metrics_;
  std::unique_ptr<RetentionSweeper> retention_;
  SecretCheck secret_check_;
  std::unique_ptr<CoordinationPublisher> publisher_;  // when `publish:` is configured
  std::unique_ptr<HttpServer> http_;
};

int RunScheduler(int argc, char** argv);

}  // namespace buildfarm::scheduler
