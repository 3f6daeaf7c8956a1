// filesystem collector: node_filesystem_{size,free,avail}_bytes, _files, _files_free, _readonly and
// _device_error{device,fstype,mountpoint}, as node_exporter 1.5 reports them.
//
// Mounts come from <procfs>/1/mountinfo (falling back to <procfs>/self/mountinfo), minus the
// excluded mount points and filesystem types, and are stat'ed at <rootfs>/<mountpoint> through a
// StatfsRunner, never on the scrape thread. The parsed and filtered mount list is cached until the
// mountinfo text changes, so the exclusion regexes run only when mounts change. Collect() is
// thread-safe; the cache sits behind a mutex and the runner handles concurrent scrapes itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "exporter/collector_spec.h"
#include "exporter/procfs/statfs_runner.h"

namespace buildfarm::exporter {

struct FilesystemOptions {
  // node_exporter 1.5's defaults (Debian's build), under the same flag names.
  std::string mount_points_exclude =
      "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
  std::string fs_types_exclude =
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|"
      "overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";
  double mount_timeout_seconds = 5;
  std::int64_t stat_workers = 4;
};

// The collector with an injectable stat function (tests pass one that hangs). An invalid exclusion
// regex is an error naming its flag.
Result<std::unique_ptr<Collector>> MakeFilesystemCollector(const HostPaths& paths, const FilesystemOptions& options,
                                                           StatFunction stat, const Logger* log = nullptr);

CollectorSpec MakeFilesystemSpec();

}  // namespace buildfarm::exporter
