#include "exporter/publish_command.h"

#include <optional>
#include <string>

#include "common/daemon.h"
#include "common/flags.h"
#include "common/log.h"
#include "exporter/config.h"
#include "exporter/host_paths.h"
#include "exporter/status_document.h"
#include "exporter/status_publisher.h"

namespace buildfarm::exporter {

int RunPublishCommand(int argc, char** argv) {
  constexpr const char* kProgram = "buildfarm-exporter publish";
  HostPaths paths;
  std::string config_file;
  std::string log_level = "info";
  bool once = false;
  bool help = false;
  FlagSet flags(kProgram, "Publishes this node's status document to the git remote of the config's publish: section.");
  flags.AddBool("once", &once, "Publish one document and exit (the only mode; for cron).");
  flags.AddString("config.file", &config_file, "YAML configuration file with a publish: section.");
  flags.AddString("path.procfs", &paths.procfs, "procfs mountpoint.");
  flags.AddString("path.sysfs", &paths.sysfs, "sysfs mountpoint.");
  flags.AddString("path.rootfs", &paths.rootfs, "rootfs mountpoint.");
  flags.AddString("log.level", &log_level, "Only log messages with the given severity or above: debug, info, warn, error.");
  flags.AddBool("help", &help, "Show this help and exit.");
  Status parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) return app::UsageError(kProgram, parsed.message());
  auto exit_code = app::HelpOrVersion(flags, help, false, kProgram, "", "");
  if (exit_code) return *exit_code;
  if (!once) return app::UsageError(kProgram, "flag --once: required (the daemon publishes periodically by itself)");
  if (config_file.empty()) return app::UsageError(kProgram, "flag --config.file: required (it holds the publish: section)");
  auto level = ParseLogLevel(log_level);
  if (!level.ok()) return app::UsageError(kProgram, "flag --log.level: " + level.status().message());
  Logger log(*level);

  auto config = LoadExporterConfig(config_file);
  if (!config.ok()) return app::UsageError(kProgram, config.status().message());
  if (!config->publish.enabled) return app::UsageError(kProgram, config_file + ": publish: section missing");
  if (config->node_name.empty()) config->node_name = HostName();

  StatusDocumentBuilder builder(paths, StatusIdentity{config->node_name, HostName(), PrimaryIpv4()});
  auto updater = StatusUpdater::Create(config->publish, config->node_name,
                                       [&builder]() { return builder.Build(std::nullopt); }, log);
  if (!updater.ok()) return app::UsageError(kProgram, updater.status().message());
  Status published = (*updater)->PublishOnce();
  if (!published.ok()) {
    log.Error("status publish failed", {{"err", published.ToString()}});
    return 1;
  }
  log.Info("status published", {{"node", config->node_name}, {"branch", config->publish.branch}});
  return 0;
}

}  // namespace buildfarm::exporter
