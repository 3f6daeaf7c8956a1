// HostPaths: the seam through which collectors reach the host's /proc, /sys and root filesystem.
//
// Tests and containers point these at other trees (--path.procfs, --path.sysfs, --path.rootfs).
// Immutable after startup; safe to share between threads.
#pragma once

#include <string>
#include <string_view>

#include "common/file_reader.h"

namespace buildfarm::exporter {

struct HostPaths {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";

  std::string Proc(std::string_view relative) const { return JoinPath(procfs, relative); }
  std::string Sys(std::string_view relative) const { return JoinPath(sysfs, relative); }
  // A host path (such as a mount point) as seen from this process.
  std::string Root(std::string_view host_path) const {
    return rootfs == "/" ? std::string(host_path) : JoinPath(rootfs, host_path);
  }
};

}  // namespace buildfarm::exporter
