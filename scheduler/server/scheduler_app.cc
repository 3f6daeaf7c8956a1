#include "scheduler/server/scheduler_app.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/git_publisher/secret_guard.h"
#include "common/prometheus_text.h"
#include "scheduler/plugins/registry.h"
#include "scheduler/server/metrics_source_factory.h"
#include "scheduler/server/web_assets.h"

namespace buildfarm::scheduler {
namespace {

// Agents long-poll and clients follow logs, each holding a server thread; leave room for both.
constexpr int kMaxRequests = 250;
constexpr int kWorkerThreads = 256;

int UsageError(const std::string& message) { return app::UsageError("buildfarm-scheduler", message); }

}  // namespace

SchedulerApp::SchedulerApp(SchedulerConfig config, std::shared_ptr<MetricsSource> metrics_source, const Logger& log)
    : config_(std::move(config)), metrics_source_(std::move(metrics_source)), log_(log) {
  secret_check_ = [this](std::string_view text) -> Status {
    auto finding = git_publisher::FindLikelySecret(text);
    if (!finding) return Status::Ok();
    publish_metrics_.RecordRefusal(finding->reason);
    return InvalidArgument("holds a likely secret (" + finding->reason +
                           "); send credentials through a secret store, not a message");
  };
}

SchedulerApp::~SchedulerApp() { Stop(); }

Status SchedulerApp::Start(std::vector<std::string> listen_addresses) {
  const double now = NowSeconds();
  // One database, shared by the four stores, so a change that spans them is one transaction.
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

  auto profiles = LoadProfiles(EffectiveSchedulingYaml(config_), "scheduling", plugins::BuiltinRegistry());
  if (!profiles.ok()) return profiles.status();
  if (profiles->empty()) return InvalidArgument("scheduling: no profile");
  if (profiles->size() > 1) log_.Warn("only the first scheduling profile is used", {{"profile", profiles->front().name}});
  profile_ = std::make_unique<Profile>(std::move(profiles->front()));

  tokens_ = std::make_unique<TokenTable>(config_.tokens);
  service_ = std::make_unique<SchedulerService>(config_, *database_, *jobs_, *nodes_, *failovers_, metrics_source_,
                                                *profile_, log_);
  alerts_ = std::make_unique<AlertReceiver>(*database_, *service_, *nodes_, *failovers_,
                                            config_.failover_hold_down_seconds, log_);
  api_ = std::make_unique<ApiContext>(
      ApiContext{*service_, service_->failover(), service_->status(), *database_, *jobs_, *nodes_, *failovers_, *alerts_, *tokens_, log_});
  api_->messages = messages_.get();
  api_->secret_check = secret_check_;
  if (config_.publish.enabled) {
    auto publisher = CoordinationPublisher::Create(config_.publish, *jobs_, *nodes_, *messages_, publish_metrics_, log_,
                                                   [] { return NowSeconds(); });
    if (!publisher.ok()) return publisher.status();
    publisher_ = std::move(publisher).value();
    api_->on_archived = [this](const std::vector<Message>& archived) { publisher_->NoteArchived(archived); };
  }
  api_->extra_metrics = [this] { return RenderPublishMetrics(); };
  HttpServerOptions options;
  options.listen_addresses = std::move(listen_addresses);
  options.max_requests = kMaxRequests;
  options.worker_threads = kWorkerThreads;
  http_ = std::make_unique<HttpServer>(log_, options);
  RegisterAllRoutes(*http_, *api_);
  service_->Start();
  alerts_->Start();
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
  return out;
}

void SchedulerApp::Stop() {
  if (publisher_) publisher_->Stop();
  if (alerts_) alerts_->Stop();
  if (service_) service_->Stop();
  if (http_) {
    http_->Stop();
    http_->Wait();
  }
}

int RunScheduler(int argc, char** argv) {
  std::vector<std::string> listen{":8080"};
  std::string config_file;
  std::string log_level = "info";
  std::string web_assets_dir;
  bool help = false;
  bool version = false;
  FlagSet flags("buildfarm-scheduler",
                "Schedules build jobs onto build nodes by their load (read from Prometheus) and serves the job API.");
  flags.AddStringList("web.listen-address", &listen, "Address on which to serve the API and metrics.");
  flags.AddString("config.file", &config_file, "YAML configuration file (store, tokens, prometheus, scheduling, lease, backups, failover).");
  flags.AddString("web.assets-dir", &web_assets_dir,
                  "Serve the web page from this folder (re-read per request, for development) instead of the built-in copy.");
  flags.AddString("log.level", &log_level, "Only log messages with the given severity or above: debug, info, warn, error.");
  flags.AddBool("version", &version, "Show the version and exit.");
  flags.AddBool("help", &help, "Show this help and exit.");
  Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return UsageError(parsed.message());
  auto exit_code = app::HelpOrVersion(flags, help, version, "buildfarm-scheduler",
                                      BUILDFARM_VERSION, BUILDFARM_REVISION);
  if (exit_code) {
    return *exit_code;
  }
  auto level = ParseLogLevel(log_level);
  if (!level.ok()) return UsageError("flag --log.level: " + level.status().message());
  Logger log(*level);

  SchedulerConfig config;
  if (!config_file.empty()) {
    auto loaded = LoadSchedulerConfig(config_file);
    if (!loaded.ok()) return UsageError(loaded.status().message());
    config = std::move(loaded).value();
  }
  if (!web_assets_dir.empty()) {
    auto checked = WebAssets::FromDirectory(web_assets_dir);
    if (!checked.ok()) return UsageError(checked.status().message());
    config.web_assets_dir = web_assets_dir;
  }
  const char* state_directory = std::getenv("STATE_DIRECTORY");
  Status store = ResolveStorePath(config, config_file.empty() ? "(no --config.file)" : config_file,
                                  state_directory ? state_directory : "");
  if (!store.ok()) return UsageError(store.message());
  auto source = MakeMetricsSource(config, log);
  if (!source.ok()) return UsageError(source.status().message());

  // Signals are taken by a waiting thread, so shutdown runs outside a signal handler.
  app::BlockStopSignals();

  SchedulerApp app(std::move(config), *source, log);
  Status started = app.Start(listen);
  if (!started.ok()) {
    if (started.code() == StatusCode::kInvalidArgument || started.code() == StatusCode::kParseError) {
      return UsageError(started.message());
    }
    log.Error("cannot start", {{"err", started.ToString()}});
    return 1;
  }
  log.Info("started", {{"version", BUILDFARM_VERSION}});
  std::string_view stop_signal = app::WaitForStopSignal();
  log.Info("stopping", {{"signal", stop_signal}});
  app.Stop();
  return 0;
}

}  // namespace buildfarm::scheduler
