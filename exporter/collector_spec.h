// CollectorSpec: how a collector is named, switched, configured and built.
//
// Each collector file exports one Make<Name>Spec(); exporter/collectors/registry.cc lists them
// explicitly. A spec owns its option storage (captured by its closures), so building the spec list
// twice gives independent settings. Used from one thread at startup.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/flags.h"
#include "common/log.h"
#include "common/status.h"
#include "exporter/collector.h"
#include "exporter/config.h"
#include "exporter/host_paths.h"

namespace buildfarm::exporter {

struct CollectorEnv {
  const HostPaths& paths;
  const ExporterConfig& config;
  const Logger& log;
};

struct CollectorSpec {
  std::string name;
  bool enabled_by_default = true;
  // Registers the collector's own flags (such as --collector.filesystem.mount-timeout); may be empty.
  std::function<void(FlagSet&)> add_flags;
  // Builds the collector once flags and config are final; an error stops startup (exit 2).
  std::function<Result<std::unique_ptr<Collector>>(const CollectorEnv&)> create;
};

}  // namespace buildfarm::exporter
