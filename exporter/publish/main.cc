// buildfarm-exporter-publish: publishes this node's status document to the git remote of the exporter
// config's `publish:` section. The only program of the exporter package that links libgit2, so that
// buildfarm-exporter, which serves the scrapes, never maps it (issue 12). Two modes:
//
//   buildfarm-exporter-publish --once --config.file=F      (also `buildfarm-exporter publish --once ...`,
//                                                            the cron line) one round, then exit
//   buildfarm-exporter-publish --serve-parent --config.file=F
//                                                           started by buildfarm-exporter: a round every
//                                                           publish.interval on the socket at fd 3
//
// --once exits 0 when the remote holds the document (pushed, or unchanged apart from timestamps), 1 when
// publishing failed (the reason is logged), 2 for a usage or config error. In that mode cpu_usage is the
// average since boot (there is no earlier sample) and network_latency_ms is left out (no probes run).
// --serve-parent asks the exporter for each round's document (exporter/publish_frame.h), so it carries
// the exporter's cpu_usage and network_latency_ms, sends its buildfarm_publish_* metrics after opening the
// mirror and after every round, and exits when the exporter closes the socket or dies.
#include <optional>
#include <string>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/prometheus_text.h"
#include "exporter/config.h"
#include "exporter/host_paths.h"
#include "exporter/publish/status_publisher.h"
#include "exporter/publish_frame.h"
#include "exporter/status_document.h"

namespace buildfarm::exporter {
namespace {

constexpr const char* kProgram = "buildfarm-exporter-publish";
// The socket buildfarm-exporter hands its child (publish_child.cc).
constexpr int kParentFd = 3;
// The exporter builds a document in milliseconds; far longer means it is stuck or gone.
constexpr double kParentTimeoutSeconds = 30;

Result<std::string> RequestDocument(FrameChannel& parent) {
  BUILDFARM_RETURN_IF_ERROR(parent.Send(FrameType::kDocumentRequest, "", kParentTimeoutSeconds));
  auto reply = parent.Receive(kParentTimeoutSeconds);
  if (!reply.ok()) return reply.status().WithContext("exporter");
  if (reply->type == FrameType::kDocument) return std::move(reply->payload);
  if (reply->type == FrameType::kDocumentError) return Unavailable("exporter: " + reply->payload);
  return ParseError("exporter: answered a document request with frame type " +
                    std::string(1, static_cast<char>(reply->type)));
}

Status SendMetrics(FrameChannel& parent, StatusUpdater& updater) {
  return parent.Send(FrameType::kMetrics, SerializePrometheusText(updater.metrics().Collect()),
                     kParentTimeoutSeconds);
}

int ServeParent(const ExporterConfig& config, const Logger& log) {
  FrameChannel parent(kParentFd);
  auto updater = StatusUpdater::Create(config.publish, config.node_name,
                                       [&parent] { return RequestDocument(parent); }, log);
  if (!updater.ok()) {
    log.Error("cannot publish", {{"err", updater.status().ToString()}});
    return app::kExitUsage;
  }
  Status reported = SendMetrics(parent, **updater);
  while (reported.ok()) {
    Status published = (*updater)->PublishOnce();
    if (!published.ok()) log.Warn("status publish failed", {{"err", published.ToString()}});
    reported = SendMetrics(parent, **updater);
    if (!reported.ok()) break;
    // The exporter only ever answers requests: anything on the socket between rounds is its EOF.
    auto unexpected = parent.Receive(config.publish.interval_seconds);
    if (unexpected.ok()) reported = ParseError("exporter: a frame nobody asked for");
    else if (unexpected.status().code() != StatusCode::kTimeout) reported = unexpected.status();
  }
  log.Info("publish child exiting", {{"why", reported.ToString()}});
  return 0;
}

int PublishOnce(const ExporterConfig& config, const HostPaths& paths, const Logger& log) {
  StatusDocumentBuilder builder(paths, StatusIdentity{config.node_name, HostName(), PrimaryIpv4()});
  auto updater = StatusUpdater::Create(config.publish, config.node_name,
                                       [&builder]() { return builder.Build(std::nullopt); }, log);
  if (!updater.ok()) return app::UsageError(kProgram, updater.status().message());
  Status published = (*updater)->PublishOnce();
  if (!published.ok()) {
    log.Error("status publish failed", {{"err", published.ToString()}});
    return 1;
  }
  log.Info("status published", {{"node", config.node_name}, {"branch", config.publish.branch}});
  return 0;
}

int Run(int argc, char** argv) {
  HostPaths paths;
  std::string config_file;
  std::string log_level = "info";
  bool once = false;
  bool serve_parent = false;
  bool help = false;
  bool version = false;
  FlagSet flags(kProgram, "Publishes this node's status document to the git remote of the config's publish: section.");
  flags.AddBool("once", &once, "Publish one document and exit (for cron).");
  flags.AddBool("serve-parent", &serve_parent,
                "Publish every publish.interval for the buildfarm-exporter that started this program (fd 3).");
  flags.AddString("config.file", &config_file, "YAML configuration file with a publish: section.");
  flags.AddString("path.procfs", &paths.procfs, "procfs mountpoint.");
  flags.AddString("path.sysfs", &paths.sysfs, "sysfs mountpoint.");
  flags.AddString("path.rootfs", &paths.rootfs, "rootfs mountpoint.");
  flags.AddString("log.level", &log_level, "Only log messages with the given severity or above: debug, info, warn, error.");
  flags.AddBool("help", &help, "Show this help and exit.");
  flags.AddBool("version", &version, "Show the version and exit.");
  Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return app::UsageError(kProgram, parsed.message());
  auto exit_code = app::HelpOrVersion(flags, help, version, kProgram, BUILDFARM_VERSION, BUILDFARM_REVISION);
  if (exit_code) return *exit_code;
  if (once == serve_parent) {
    return app::UsageError(kProgram, "flag --once: required (or --serve-parent, which buildfarm-exporter passes)");
  }
  if (config_file.empty()) return app::UsageError(kProgram, "flag --config.file: required (it holds the publish: section)");
  auto level = ParseLogLevel(log_level);
  if (!level.ok()) return app::UsageError(kProgram, "flag --log.level: " + level.status().message());
  Logger log(*level);

  auto config = LoadExporterConfig(config_file);
  if (!config.ok()) return app::UsageError(kProgram, config.status().message());
  if (!config->publish.enabled) return app::UsageError(kProgram, config_file + ": publish: section missing");
  if (config->node_name.empty()) config->node_name = HostName();
  return once ? PublishOnce(*config, paths, log) : ServeParent(*config, log);
}

}  // namespace
}  // namespace buildfarm::exporter

int main(int argc, char** argv) { return buildfarm::exporter::Run(argc, argv); }
