// mountinfo parser: the mount table (/proc/<pid>/mountinfo) as the filesystem collector needs it.
//
// ParseMountinfo is a pure function over the file's text, stateless and thread-safe. Each entry
// carries what node_exporter 1.5 derives from the equivalent /proc/mounts line: the mount source as
// written (still escaped, as node_exporter leaves it), the decoded mount point, the filesystem type,
// and whether the mount is read-only (per mount or per superblock, as /proc/mounts combines them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace buildfarm::exporter {

struct MountEntry {
  std::string device;       // mount source, e.g. "/dev/sda1" or "tmpfs"
  std::string mount_point;  // decoded: "\040" is a space again
  std::string fstype;       // e.g. "ext4", "fuse.sshfs"
  bool read_only = false;
};

// Decodes the kernel's octal escapes in mount table fields (\040 space, \011 tab, \012 newline,
// \134 backslash; any other \ooo too). A backslash not followed by three octal digits stays as is.
std::string DecodeMountEscapes(std::string_view field);

// One entry per line, in file order. A line that does not have the mountinfo shape (numeric ids,
// major:minor, the "-" separator followed by type, source and super options) is an error naming
// its line number. An empty file is an error: every mount namespace has a root mount.
Result<std::vector<MountEntry>> ParseMountinfo(std::string_view text);

}  // namespace buildfarm::exporter
