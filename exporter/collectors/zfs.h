// zfs collector: node_zfs_* from the ZFS-on-Linux kstat files under /proc/spl/kstat/zfs, as
// node_exporter 1.5 serves them: one untyped series per uint64 kstat of arcstats, zfetchstats,
// dmu_tx, vdev_cache_stats, xuio_stats, zil, abdstats, dnodestats, vdev_mirror_stats and fm
// (not dbufstats: 1.5 does not read it), HELP being the kstat's sysctl-style name; and per pool
// <pool>/io, <pool>/objset-* and <pool>/state.
//
// The kstat parsers are pure; the collector keeps only its directory and is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct KstatValue {
  std::string name;
  std::uint64_t value = 0;
};

// A "name type data" kstat file: the rows of type 4 (uint64) after the header row, in file order, as
// node_exporter 1.5 reads them (other types are skipped). dataset_name, when the file has one
// (objset files), goes to `dataset`.
struct Kstats {
  std::vector<KstatValue> values;
  std::string dataset;
};
Result<Kstats> ParseKstats(std::string_view text);

// A pool's io file: a header row starting "nread" (12 or more columns) and rows of values under it.
// Every row's values, named by the header, in order.
Result<std::vector<KstatValue>> ParseZpoolIo(std::string_view text);

CollectorSpec MakeZfsSpec();

}  // namespace buildfarm::exporter
