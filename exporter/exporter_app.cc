#include "exporter/exporter_app.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <thread>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/prometheus_text.h"
#include "common/web_config.h"
#include "exporter/collectors/registry.h"
#include "exporter/config.h"
#include "exporter/publish_child.h"
#include "exporter/publish_command.h"
#include "exporter/scrape_gate.h"
#include "exporter/scraper.h"
#include "exporter/status_document.h"

namespace buildfarm::exporter {
namespace {

// The exporter's own flags; --config.file, --log.level, --version and --help are the bootstrap's.
struct ExporterFlags {
  std::vector<std::string> listen_addresses{":9100"};
  std::string telemetry_path = "/metrics";
  std::int64_t max_requests = 40;
  std::string web_config_file;
  std::shared_ptr<const WebConfig> web_config;  // loaded from web_config_file at start
  HostPaths paths;
  bool disable_defaults = false;
  bool disable_exporter_metrics = false;
  std::vector<CollectorSpec> specs = BuiltinCollectorSpecs();
  std::map<std::string, bool> enabled;  // by collector name
};

void AddExporterFlags(FlagSet& flags, app::StandardFlags& standard, ExporterFlags& daemon) {
  flags.AddStringList("web.listen-address", &daemon.listen_addresses, "Address on which to expose metrics.");
  flags.AddString("web.config.file", &daemon.web_config_file,
                  "Path to a web-config.yml (exporter-toolkit format) that enables TLS and/or basic auth.");
  flags.AddString("web.telemetry-path", &daemon.telemetry_path, "Path under which to expose metrics.");
  flags.AddInt("web.max-requests", &daemon.max_requests, 0, 100000,
               "Maximum number of parallel scrape requests; beyond it the answer is 503. 0 disables the limit.");
  flags.AddBool("web.disable-exporter-metrics", &daemon.disable_exporter_metrics,
                "Exclude metrics about the exporter itself (process_*).");
  flags.AddString("path.procfs", &daemon.paths.procfs, "procfs mountpoint.");
  flags.AddString("path.sysfs", &daemon.paths.sysfs, "sysfs mountpoint.");
  flags.AddString("path.rootfs", &daemon.paths.rootfs, "rootfs mountpoint.");
  standard.AddConfigFile();
  standard.AddLogLevel();
  flags.AddBool("collector.disable-defaults", &daemon.disable_defaults,
                "Set all collectors to disabled by default; enable them one by one with --collector.<name>.");
  standard.AddVersionAndHelp();
  for (auto& spec : daemon.specs) daemon.enabled[spec.name] = spec.enabled_by_default;
  for (auto& spec : daemon.specs) {
    flags.AddBool("collector." + spec.name, &daemon.enabled[spec.name], "Enable the " + spec.name + " collector.");
    if (spec.add_flags) spec.add_flags(flags);
  }
}

std::string LandingPage(const std::string& telemetry_path) {
  return "<!DOCTYPE html>\n<html><head><title>buildfarm-exporter</title></head><body>\n"
         "<h1>buildfarm-exporter</h1>\n<p>Build node metrics in the node_exporter format.</p>\n<ul>\n"
         "<li><a href=\"" + telemetry_path + "\">Metrics</a></li>\n"
         "<li><a href=\"/status.json\">Status document</a></li>\n"
         "<li><a href=\"/healthz\">Health</a></li>\n</ul>\n</body></html>\n";
}

// The --log.level the logger was made with, for the publishing child.
std::string LogLevelName(const Logger& log) {
  if (log.enabled(LogLevel::kDebug)) return "debug";
  if (log.enabled(LogLevel::kInfo)) return "info";
  if (log.enabled(LogLevel::kWarn)) return "warn";
  return "error";
}

// Config values fill the collector flags that the command line left alone.
Status ApplyConfigToFlags(const ExporterConfig& config, FlagSet& flags) {
  for (const auto& [key, values] : config.collector_options) {
    std::string flag = "collector." + key;
    if (!flags.Has(flag)) return InvalidArgument("config key collectors." + key + ": unknown collector option");
    if (flags.WasSet(flag)) continue;
    for (const auto& value : values) {
      Status status = flags.Set(flag, value);
      if (!status.ok()) return InvalidArgument("config key collectors." + key + ": " + status.message());
    }
  }
  return Status::Ok();
}

// Collecting is CPU-bound: as many scrapes at once as CPUs, at least two.
int ScrapeSlots() { return std::max(2, static_cast<int>(std::thread::hardware_concurrency())); }

// The exporter's HTTP endpoints over its collectors and, when `publish:` is configured, the publishing
// child (buildfarm-exporter-publish; this process never maps libgit2). The flags and config belong to
// RunExporter and outlive it.
class RunningExporter final : public app::RunningDaemon {
 public:
  RunningExporter(const ExporterFlags& daemon, const ExporterConfig& config,
                  std::vector<std::unique_ptr<Collector>> collectors, const Logger& log)
      : log_(log),
        config_(config),
        scraper_(std::move(collectors), BuildInfo{BUILDFARM_VERSION, BUILDFARM_REVISION, BUILDFARM_BRANCH}, log,
                 SelfMetricsOptions{.process_metrics = !daemon.disable_exporter_metrics}),
        status_document_(daemon.paths, StatusIdentity{config.node_name, HostName(), PrimaryIpv4()}),
        landing_(LandingPage(daemon.telemetry_path)),
        server_(log, HttpServerOptions{.listen_addresses = daemon.listen_addresses,
                                       .max_requests = static_cast<int>(daemon.max_requests),
                                       .web_config = daemon.web_config}) {
    for (const auto& collector : scraper_.collectors()) {
      if (collector->name() == "latency") latency_ = collector.get();
    }
    AddRoutes(daemon.telemetry_path);
  }

  // Starts buildfarm-exporter-publish --serve-parent when `publish:` is configured and waits until it
  // has opened its git mirror; its errors are start errors.
  Status StartPublishing(const std::string& config_file, const std::string& log_level) {
    if (!config_.publish.enabled) return Status::Ok();
    const std::string program = SiblingProgram(kPublishProgram);
    if (program.empty() || access(program.c_str(), X_OK) != 0) {
      return NotFound("publish: needs " + (program.empty() ? std::string(kPublishProgram) : program) +
                      ", which is missing (it is installed next to buildfarm-exporter)");
    }
    PublishChildOptions options;
    options.argv = {program, "--serve-parent", "--config.file=" + config_file, "--log.level=" + log_level};
    publish_child_ = std::make_unique<PublishChild>(std::move(options), [this] { return BuildStatus(); }, log_);
    BUILDFARM_RETURN_IF_ERROR(publish_child_->Start());
    log_.Info("publishing status", {{"remote", config_.publish.remote}, {"branch", config_.publish.branch},
                                    {"child", std::to_string(publish_child_->child_pid())}});
    return Status::Ok();
  }

  Status Listen() { return server_.Start(); }

  void Stop() override {
    server_.Stop();
    server_.Wait();
    if (publish_child_) publish_child_->Stop();
  }

 private:
  void AddRoutes(const std::string& telemetry_path) {
    server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(landing_, "text/html; charset=utf-8");
    });
    // Registered before the publishing child exists; it is started before the listeners.
    server_.Get(telemetry_path, [this](const httplib::Request&, httplib::Response& res) {
      std::string body;
      {
        ScrapeGate::Slot slot(scrape_gate_);
        auto families = scraper_.Collect();
        std::string publish_text;
        if (publish_child_) {
          Families own;
          publish_child_->AddMetrics(own);
          families.insert(families.end(), own.begin(), own.end());
          publish_text = publish_child_->metrics_text();  // checked: only buildfarm_publish_* lines
        }
        body = SerializePrometheusText(families);
        body += publish_text;
      }
      // Moved, not copied as set_content would: one copy of the text per scrape in flight.
      res.body = std::move(body);
      res.set_header("Content-Type", kPrometheusTextContentType);
    });
    server_.Get("/status.json", [this](const httplib::Request&, httplib::Response& res) {
      auto document = BuildStatus();
      if (!document.ok()) {
        log_.Warn("status document failed", {{"err", document.status().ToString()}});
        res.status = 500;
        res.set_content(document.status().ToString() + "\n", "text/plain; charset=utf-8");
        return;
      }
      res.set_content(*document, "application/json");
    });
    server_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain; charset=utf-8");
    });
  }

  // The status document reads the latency collector's latest results (when it is enabled) for
  // network_latency_ms; that collector only copies a snapshot, so this never waits on the network.
  Result<std::string> BuildStatus() {
    std::optional<double> latency_ms;
    if (latency_ != nullptr) {
      Families families;
      if (latency_->Collect(families).ok()) latency_ms = MeanSuccessfulProbeMillis(families);
    }
    return status_document_.Build(latency_ms);
  }

  const Logger& log_;
  const ExporterConfig& config_;
  Scraper scraper_;
  ScrapeGate scrape_gate_{ScrapeSlots()};
  Collector* latency_ = nullptr;
  StatusDocumentBuilder status_document_;
  const std::string landing_;
  std::unique_ptr<PublishChild> publish_child_;
  HttpServer server_;
};

app::StartResult StartExporter(const app::DaemonContext& context, ExporterFlags& daemon, ExporterConfig& config) {
  Status applied = ApplyConfigToFlags(config, context.flags);
  if (!applied.ok()) return app::StartResult::BadUsage(applied.message());
  if (config.node_name.empty()) config.node_name = HostName();
  if (daemon.telemetry_path.empty() || daemon.telemetry_path.front() != '/') {
    return app::StartResult::BadUsage("flag --web.telemetry-path: must start with /");
  }
  if (!daemon.web_config_file.empty()) {
    auto web_config = LoadWebConfigFile(daemon.web_config_file);
    if (!web_config.ok()) return app::StartResult::BadUsage("flag --web.config.file: " + web_config.status().message());
    daemon.web_config = *web_config;
  }
  if (daemon.disable_defaults) {
    for (auto& spec : daemon.specs) {
      if (!context.flags.WasSet("collector." + spec.name)) daemon.enabled[spec.name] = false;
    }
  }

  std::vector<std::unique_ptr<Collector>> collectors;
  CollectorEnv env{daemon.paths, config, context.log};
  for (auto& spec : daemon.specs) {
    if (!daemon.enabled[spec.name]) continue;
    auto collector = spec.create(env);
    if (!collector.ok()) {
      return app::StartResult::BadUsage("collector " + spec.name + ": " + collector.status().message());
    }
    context.log.Info("enabled collector", {{"collector", spec.name}});
    collectors.push_back(std::move(collector).value());
  }

  auto exporter = std::make_unique<RunningExporter>(daemon, config, std::move(collectors), context.log);
  Status publishing = exporter->StartPublishing(context.config_file, LogLevelName(context.log));
  if (!publishing.ok()) return app::StartResult::CannotStart(publishing.ToString());
  Status listening = exporter->Listen();
  if (!listening.ok()) return app::StartResult::CannotStart(listening.ToString());
  context.log.Info("started", {{"version", BUILDFARM_VERSION}, {"node", config.node_name}});
  return exporter;
}

}  // namespace

int RunExporter(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "publish") return RunPublishCommand(argc - 1, argv + 1);
  // One malloc arena keeps RSS small: HTTP threads would otherwise grow heaps of their own. At most
  // ScrapeSlots() scrapes allocate at once (ScrapeGate), so they rarely contend for it; a second arena
  // cost 0.35 MB of peak RSS under 16 connections and no measurable CPU.
  mallopt(M_ARENA_MAX, 1);

  ExporterFlags daemon;
  ExporterConfig config;
  return app::RunDaemon(
      argc, argv,
      {.program = "buildfarm-exporter",
       .summary = "Exports build-node metrics (node_exporter-compatible names), latency probes and topology.",
       .version = BUILDFARM_VERSION,
       .revision = BUILDFARM_REVISION,
       .config_file_help = "YAML configuration file (probes, collector options, node name).",
       .add_flags = [&daemon](FlagSet& flags, app::StandardFlags& standard) { AddExporterFlags(flags, standard, daemon); },
       .load_config = app::StoreConfigInto(&config, LoadExporterConfig),
       .start = [&](const app::DaemonContext& context) { return StartExporter(context, daemon, config); }});
}

}  // namespace buildfarm::exporter
