#include "exporter/exporter_app.h"

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/prometheus_text.h"
#include "exporter/collectors/registry.h"
#include "exporter/config.h"
#include "exporter/scraper.h"
#include "exporter/publish_command.h"
#include "exporter/status_document.h"
#include "exporter/status_publisher.h"

namespace buildfarm::exporter {
namespace {

struct DaemonFlags {
  std::vector<std::string> listen_addresses{":9100"};
  std::string telemetry_path = "/metrics";
  std::int64_t max_requests = 40;
  HostPaths paths;
  std::string config_file;
  std::string log_level = "info";
  bool disable_defaults = false;
  bool help = false;
  bool version = false;
};

int UsageError(const std::string& message) { return app::UsageError("buildfarm-exporter", message); }

std::string LandingPage(const std::string& telemetry_path) {
  return "<!DOCTYPE html>\n<html><head><title>buildfarm-exporter</title></head><body>\n"
         "<h1>buildfarm-exporter</h1>\n<p>Build node metrics in the node_exporter format.</p>\n<ul>\n"
         "<li><a href=\"" + telemetry_path + "\">Metrics</a></li>\n"
         "<li><a href=\"/status.json\">Status document</a></li>\n"
         "<li><a href=\"/healthz\">Health</a></li>\n</ul>\n</body></html>\n";
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

}  // namespace

int RunExporter(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "publish") return RunPublishCommand(argc - 1, argv + 1);
  // Few arenas keep RSS small: scrape threads would otherwise each grow their own heap.
  mallopt(M_ARENA_MAX, 2);

  DaemonFlags daemon;
  FlagSet flags("buildfarm-exporter",
                "Exports build-node metrics (node_exporter-compatible names), latency probes and topology.");
  flags.AddStringList("web.listen-address", &daemon.listen_addresses, "Address on which to expose metrics.");
  flags.AddString("web.telemetry-path", &daemon.telemetry_path, "Path under which to expose metrics.");
  flags.AddInt("web.max-requests", &daemon.max_requests, 0, 100000,
               "Maximum number of parallel scrape requests; beyond it the answer is 503. 0 disables the limit.");
  flags.AddString("path.procfs", &daemon.paths.procfs, "procfs mountpoint.");
  flags.AddString("path.sysfs", &daemon.paths.sysfs, "sysfs mountpoint.");
  flags.AddString("path.rootfs", &daemon.paths.rootfs, "rootfs mountpoint.");
  flags.AddString("config.file", &daemon.config_file, "YAML configuration file (probes, collector options, node name).");
  flags.AddString("log.level", &daemon.log_level, "Only log messages with the given severity or above: debug, info, warn, error.");
  flags.AddBool("collector.disable-defaults", &daemon.disable_defaults,
                "Set all collectors to disabled by default; enable them one by one with --collector.<name>.");
  flags.AddBool("version", &daemon.version, "Show the version and exit.");
  flags.AddBool("help", &daemon.help, "Show this help and exit.");

  std::vector<CollectorSpec> specs = BuiltinCollectorSpecs();
  std::map<std::string, bool> enabled;
  for (auto& spec : specs) enabled[spec.name] = spec.enabled_by_default;
  for (auto& spec : specs) {
    flags.AddBool("collector." + spec.name, &enabled[spec.name],
                  "Enable the " + spec.name + " collector.");
    if (spec.add_flags) spec.add_flags(flags);
  }

  Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return UsageError(parsed.message());
  auto exit_code = app::HelpOrVersion(flags, daemon.help, daemon.version, "buildfarm-exporter",
                                      BUILDFARM_VERSION, BUILDFARM_REVISION);
  if (exit_code) {
    return *exit_code;
  }
  auto level = ParseLogLevel(daemon.log_level);
  if (!level.ok()) return UsageError("flag --log.level: " + level.status().message());
  Logger log(*level);

  ExporterConfig config;
  if (!daemon.config_file.empty()) {
    auto loaded = LoadExporterConfig(daemon.config_file);
    if (!loaded.ok()) return UsageError(loaded.status().message());
    config = std::move(loaded).value();
    Status applied = ApplyConfigToFlags(config, flags);
    if (!applied.ok()) return UsageError(applied.message());
  }
  if (config.node_name.empty()) config.node_name = HostName();
  if (daemon.telemetry_path.empty() || daemon.telemetry_path.front() != '/') {
    return UsageError("flag --web.telemetry-path: must start with /");
  }
  if (daemon.disable_defaults) {
    for (auto& spec : specs) {
      if (!flags.WasSet("collector." + spec.name)) enabled[spec.name] = false;
    }
  }

  std::vector<std::unique_ptr<Collector>> collectors;
  CollectorEnv env{daemon.paths, config, log};
  for (auto& spec : specs) {
    if (!enabled[spec.name]) continue;
    auto collector = spec.create(env);
    if (!collector.ok()) return UsageError("collector " + spec.name + ": " + collector.status().message());
    log.Info("enabled collector", {{"collector", spec.name}});
    collectors.push_back(std::move(collector).value());
  }
  Scraper scraper(std::move(collectors), BuildInfo{BUILDFARM_VERSION, BUILDFARM_REVISION}, log);

  // Block the stop signals before any thread starts, so that only sigwait below sees them.
  app::BlockStopSignals();

  HttpServerOptions http_options;
  http_options.listen_addresses = daemon.listen_addresses;
  http_options.max_requests = static_cast<int>(daemon.max_requests);
  HttpServer server(log, http_options);
  const std::string landing = LandingPage(daemon.telemetry_path);
  server.Get("/", [&landing](const httplib::Request&, httplib::Response& res) {
    res.set_content(landing, "text/html; charset=utf-8");
  });
  // Built before the routes so that /metrics can include its families; started after the listeners.
  std::unique_ptr<StatusUpdater> status_updater;
  server.Get(daemon.telemetry_path, [&scraper, &status_updater](const httplib::Request&, httplib::Response& res) {
    auto families = scraper.Collect();
    if (status_updater) {
      auto publish_families = status_updater->metrics().Collect();
      families.insert(families.end(), publish_families.begin(), publish_families.end());
    }
    res.set_content(SerializePrometheusText(families), kPrometheusTextContentType);
  });
  // The status document reads the latency collector's latest results (when it is enabled) for
  // network_latency_ms; that collector only copies a snapshot, so this never waits on the network.
  Collector* latency = nullptr;
  for (const auto& collector : scraper.collectors()) {
    if (collector->name() == "latency") latency = collector.get();
  }
  StatusDocumentBuilder status_document(daemon.paths, StatusIdentity{config.node_name, HostName(), PrimaryIpv4()});
  auto build_status = [&status_document, latency]() -> Result<std::string> {
    std::optional<double> latency_ms;
    if (latency != nullptr) {
      Families families;
      if (latency->Collect(families).ok()) latency_ms = MeanSuccessfulProbeMillis(families);
    }
    return status_document.Build(latency_ms);
  };
  server.Get("/status.json", [&build_status, &log](const httplib::Request&, httplib::Response& res) {
    auto document = build_status();
    if (!document.ok()) {
      log.Warn("status document failed", {{"err", document.status().ToString()}});
      res.status = 500;
      res.set_content(document.status().ToString() + "\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_content(*document, "application/json");
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });

  if (config.publish.enabled) {
    auto updater = StatusUpdater::Create(config.publish, config.node_name, build_status, log);
    if (!updater.ok()) return UsageError(updater.status().message());
    status_updater = std::move(updater).value();
  }

  Status started = server.Start();
  if (!started.ok()) {
    log.Error("cannot start", {{"err", started.ToString()}});
    return 1;
  }
  log.Info("started", {{"version", BUILDFARM_VERSION}, {"node", config.node_name}});
  if (status_updater) {
    status_updater->Start();
    log.Info("publishing status", {{"remote", config.publish.remote}, {"branch", config.publish.branch}});
  }
  std::string_view stop_signal = app::WaitForStopSignal();
  log.Info("stopping", {{"signal", stop_signal}});
  if (status_updater) status_updater->Stop();
  server.Stop();
  server.Wait();
  return 0;
}

}  // namespace buildfarm::exporter
