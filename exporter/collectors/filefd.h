// filefd collector: node_filefd_allocated and node_filefd_maximum from /proc/sys/fs/file-nr, as
// node_exporter 1.5.
//
// ParseFileNr is pure; the collector keeps no mutable state and is thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct FileNr {
  double allocated = 0;
  double maximum = 0;
};

// "2032\t0\t2466116\n" (allocated, unused, maximum): exactly three numbers.
Result<FileNr> ParseFileNr(std::string_view text);

CollectorSpec MakeFilefdSpec();

}  // namespace buildfarm::exporter
