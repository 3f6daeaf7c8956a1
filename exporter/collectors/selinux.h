// selinux collector: node_selinux_enabled, and when SELinux is on node_selinux_config_mode and
// node_selinux_current_mode (-1 disabled, 0 permissive, 1 enforcing), as node_exporter 1.5 serves
// them. Without selinuxfs, node_exporter 1.5 serves node_selinux_enabled 0 and succeeds; so do we.
//
// node_exporter asks go-selinux, which looks at the real /sys/fs/selinux, /proc/self/attr/current
// and /etc/selinux/config whatever --path.* says; we read the same files through HostPaths so that
// the collector sees the host from a container and fixtures work. SELinux counts as enabled when
// <sysfs>/fs/selinux/enforce exists and the process label (<procfs>/self/attr/current) is not
// "kernel". The parsers are pure; the collector holds only paths and is thread-safe.
#pragma once

#include <string_view>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// The SELINUX= value of /etc/selinux/config as go-selinux maps it: enforcing 1, permissive 0,
// anything else (disabled, missing, garbled) -1.
int SelinuxConfigMode(std::string_view config_text);

// The selinuxfs `enforce` file: its integer, or -1 when it is not one.
int SelinuxEnforceMode(std::string_view enforce_text);

CollectorSpec MakeSelinuxSpec();

}  // namespace buildfarm::exporter
