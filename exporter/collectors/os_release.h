// os collector: node_os_info{build_id,id,id_like,image_id,image_version,name,pretty_name,variant,
// variant_id,version,version_codename,version_id} and node_os_version{id,id_like,name} from
// <rootfs>/etc/os-release, or <rootfs>/usr/lib/os-release when the first is absent, as
// node_exporter 1.5 serves them.
//
// ParseOsRelease is pure. The collector re-reads the small file on every scrape and keeps no
// mutable state, so it is thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// KEY=value assignments in the os-release(5) shell-like syntax: blank lines and # comments are
// skipped, values may be "double quoted" (with \" \\ \$ \` escapes), 'single quoted' or bare.
// Errors name the line: a line without '=', a bad key, an unterminated quote.
Result<std::map<std::string, std::string>> ParseOsRelease(std::string_view text);

// The major.minor number at the start of VERSION_ID ("22.04.3" -> 22.04, "12" -> 12); 0 when
// VERSION_ID does not start with a digit. node_os_version is served only when it is above 0.
double OsMajorMinorVersion(std::string_view version_id);

CollectorSpec MakeOsSpec();

}  // namespace buildfarm::exporter
