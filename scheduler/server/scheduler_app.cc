#include "scheduler/server/scheduler_app.h"

#include <cstdlib>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/git_publisher/secret_guard.h"
#include "common/prometheus_text.h"
#include "scheduler/plugins/registry.h"
#include "scheduler/server/listen_security.h"
#include "scheduler/server/metrics_source_factory.h"
#include "scheduler/server/web_assets.h"

namespace buildfarm::scheduler {
namespace {

// Agents long-poll and clients follow logs, each holding a server thread. Those long requests have their
// own budget (half the threads, a few per token), so heartbeats, health checks and scrapes always find one.
constexpr int kWorkerThreads = 256;
constexpr int kMaxLongRequests = 128;
constexpr int kMaxRequests = kWorkerThreads - kMaxLongRequests;
constexpr int kMaxRequestsPerPrincipal = 64;

}  // namespace

SchedulerApp::SchedulerApp(SchedulerConfig config, std::shared_ptr<MetricsSource> metrics_source, const Logger& log)
    : config_(std::move(config)), metrics_source_(std::move(metrics_source)), log_(log) {
  secret_check_ = [this](std::string_view text) -> Status {
    auto finding = git_publisher::FindLikelySecret(text);
    if (!finding) return Status::Ok();
    publish_metrics_.RecordRefusal(finding->reason);
    return InvalidArgument("holds a likely secret (" + finding->reason +
                           "); pass credentials through a secret store, not in the text");
  };
}

SchedulerApp::~SchedulerApp() { Stop(); }

Status SchedulerApp::Start(std::vector<std::string> listen_addresses, std::shared_ptr<const WebConfig> web_config) {
  const double now = NowSeconds();
  // One database, shared by the stores, so a change that spans them is one transaction.
  auto database = Database::Open(config_.store_path);
  if (!database.ok()) return database.status().WithContext("store " + config_.store_path);
  database_ = std::move(database).value();
  auto jobs = JobStore::Open(database_);
  if (!jobs.ok()) return jobs.status().WithContext("store " + config_.store_path);
  jobs_ = std::move(jobs).value();
  auto nodes = NodeStore::Open(database_, now);
  if (!nodes.ok()) return nodes.status().WithContext("store " + config_.store_path);
  nodes_ = std::move(nodes).value();
  auto failovers = FailoverStore::Open(database_);
  if (!failovers.ok()) return failovers.status().WithContext("store " + config_.store_path);
  failovers_ = std::move(failovers).value();
  auto messages = MessageStore::Open(database_);
  if (!messages.ok()) return messages.status().WithContext("store " + config_.store_path);
  messages_ = std::move(messages).value();
  auto token_store = TokenStore::Open(database_);
  if (!token_store.ok()) return token_store.status().WithContext("store " + config_.store_path);
  token_store_ = std::move(token_store).value();
  auto audit = AuditStore::Open(database_);
  if (!audit.ok()) return audit.status().WithContext("store " + config_.store_path);
  audit_ = std::move(audit).value();

  auto profiles = LoadProfiles(EffectiveSchedulingYaml(config_), "scheduling", plugins::BuiltinRegistry());
  if (!profiles.ok()) return profiles.status();
  if (profiles->empty()) return InvalidArgument("scheduling: no profile");
  if (profiles->size() > 1) log_.Warn("only the first scheduling profile is used", {{"profile", profiles->front().name}});
  profile_ = std::make_unique<Profile>(std::move(profiles->front()));

  tokens_ = std::make_unique<TokenTable>(config_.tokens, token_store_.get(), [] { return NowSeconds(); });
  for (const TokenConfig& token : config_.tokens) {
    if (token.role == Role::kAgent && !token.claims.limits_anything()) {
      log_.Warn("agent token has no labels or capacity limits: whoever holds it may re-register its node with any",
                {{"token", token.name}, {"node", token.node}});
    }
  }
  service_ = std::make_unique<SchedulerService>(config_, *database_, *jobs_, *nodes_, *failovers_, metrics_source_,
                                                *profile_, log_);
  alerts_ = std::make_unique<AlertReceiver>(*database_, *service_, *nodes_, *failovers_,
                                            config_.failover_hold_down_seconds, log_);
  api_ = std::make_unique<ApiContext>(
      ApiContext{*service_, service_->failover(), service_->status(), *database_, *jobs_, *nodes_, *failovers_, *alerts_, *tokens_, log_});
  api_->messages = messages_.get();
  api_->audit = audit_.get();
  api_->token_store = token_store_.get();
  service_->SetAudit(audit_.get());
  alerts_->SetAudit(audit_.get());
  api_->secret_check = secret_check_;
  api_->max_log_bytes_per_attempt = config_.max_log_bytes_per_attempt;
  api_->retention_metrics = &retention_metrics_;
  retention_ = std::make_unique<RetentionSweeper>(config_.retention, *jobs_, messages_.get(), *nodes_,
                                                  retention_metrics_, log_);
  retention_->SetAudit(audit_.get());
  if (config_.publish.enabled) {
    auto publisher = CoordinationPublisher::Create(config_.publish, *jobs_, *nodes_, *messages_, publish_metrics_, log_,
                                                   [] { return NowSeconds(); });
    if (!publisher.ok()) return publisher.status();
    publisher_ = std::move(publisher).value();
    publisher_->SetAudit(audit_.get());
    api_->on_archived = [this](const std::vector<Message>& archived) { publisher_->NoteArchived(archived); };
  }
  message_metrics_ = std::make_unique<MessageMetrics>(config_, *messages_, *nodes_, log_, NowSeconds);
  api_->extra_metrics = [this] { return message_metrics_->Render() + RenderPublishMetrics(); };
  HttpServerOptions options;
  options.listen_addresses = std::move(listen_addresses);
  options.max_requests = kMaxRequests;
  options.worker_threads = kWorkerThreads;
  options.max_long_requests = kMaxLongRequests;
  options.max_requests_per_principal = kMaxRequestsPerPrincipal;
  options.web_config = std::move(web_config);
  http_ = std::make_unique<HttpServer>(log_, options);
  RegisterAllRoutes(*http_, *api_);
  service_->Start();
  alerts_->Start();
  retention_->Start();
  if (publisher_) {
    publisher_->Start();
    log_.Info("publishing coordination files", {{"remote", config_.publish.remote}, {"branch", config_.publish.branch}});
  }
  return http_->Start();
}

std::string SchedulerApp::RenderPublishMetrics() {
  auto families = publish_metrics_.Collect();
  // Without a publisher only the message refusals mean anything.
  if (!publisher_) {
    std::erase_if(families, [](const prometheus::MetricFamily& f) { return f.name != "buildfarm_publish_refused_total"; });
  }
  std::string out;
  AppendPrometheusText(out, families);
  return out + retention_metrics_.Render();
}

void SchedulerApp::Stop() {
  if (publisher_) publisher_->Stop();
  if (retention_) retention_->Stop();
  if (alerts_) alerts_->Stop();
  if (service_) service_->Stop();
  if (http_) {
    http_->Stop();
    http_->Wait();
  }
}

int RunScheduler(int argc, char** argv) {
  std::vector<std::string> listen{":8080"};
  std::string web_assets_dir;
  std::string web_config_file;
  bool insecure_http = false;
  SchedulerConfig config;
  auto add_flags = [&](FlagSet& flags, app::StandardFlags& standard) {
    flags.AddStringList("web.listen-address", &listen, "Address on which to serve the API and metrics.");
    flags.AddString("web.config.file", &web_config_file,
                    "web-config.yml (exporter-toolkit format): tls_server_config for HTTPS, headers (else web_config_file: "
                    "in the config file).");
    flags.AddBool("insecure-http", &insecure_http,
                  "Allow plain HTTP on addresses beyond loopback (tokens then cross the network in clear); warns on every start.");
    standard.AddConfigFile();
    flags.AddString("web.assets-dir", &web_assets_dir,
                    "Serve the web page from this folder (re-read per request, for development) instead of the built-in copy.");
  };
  auto start = [&](const app::DaemonContext& context) -> app::StartResult {
    if (!web_assets_dir.empty()) {
      auto checked = WebAssets::FromDirectory(web_assets_dir);
      if (!checked.ok()) return app::StartResult::BadUsage(checked.status().message());
      config.web_assets_dir = web_assets_dir;
    }
    const char* state_directory = std::getenv("STATE_DIRECTORY");
    Status store = ResolveStorePath(config, context.config_file.empty() ? "(no --config.file)" : context.config_file,
                                    state_directory ? state_directory : "");
    if (!store.ok()) return app::StartResult::BadUsage(store.message());
    if (web_config_file.empty()) web_config_file = config.web_config_file;
    std::shared_ptr<const WebConfig> web_config;
    if (!web_config_file.empty()) {
      auto loaded = LoadWebConfigFile(web_config_file);
      if (!loaded.ok()) return app::StartResult::BadUsage("web config: " + loaded.status().message());
      if (!(*loaded)->basic_auth_users.empty()) {
        return app::StartResult::BadUsage("web config " + web_config_file +
                                          ": basic_auth_users: not supported by the scheduler, whose API "
                                          "authenticates with bearer tokens (configure tokens: instead)");
      }
      web_config = *loaded;
    }
    Status exposure = CheckListenSecurity(listen, web_config && web_config->tls_enabled, insecure_http, context.log);
    if (!exposure.ok()) return app::StartResult::BadUsage(exposure.message());
    auto source = MakeMetricsSource(config, context.log);
    if (!source.ok()) return app::StartResult::BadUsage(source.status().message());

    auto scheduler = std::make_unique<SchedulerApp>(std::move(config), *source, context.log);
    Status started = scheduler->Start(listen, std::move(web_config));
    if (!started.ok()) {
      if (started.code() == StatusCode::kInvalidArgument || started.code() == StatusCode::kParseError) {
        return app::StartResult::BadUsage(started.message());
      }
      return app::StartResult::CannotStart(started.ToString());
    }
    context.log.Info("started", {{"version", BUILDFARM_VERSION}});
    return app::RunningObject(std::move(scheduler));
  };
  return app::RunDaemon(
      argc, argv,
      {.program = "buildfarm-scheduler",
       .summary = "Schedules build jobs onto build nodes by their load (read from Prometheus) and serves the job API.",
       .version = BUILDFARM_VERSION,
       .revision = BUILDFARM_REVISION,
       .config_file_help = "YAML configuration file (store, tokens, prometheus, scheduling, lease, backups, failover, logs, retention, publish).",
       .add_flags = add_flags,
       .load_config = app::StoreConfigInto(&config, LoadSchedulerConfig),
       .start = start});
}

}  // namespace buildfarm::scheduler
