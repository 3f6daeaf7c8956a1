// edac collector: node_edac_{correctable,uncorrectable}_errors_total{controller} and
// node_edac_csrow_{correctable,uncorrectable}_errors_total{controller,csrow} from
// /sys/devices/system/edac/mc/mc[0-9]*, as node_exporter 1.5 serves them (the controller's
// *_noinfo_count files become csrow="unknown").
//
// As there, every count file must exist and be a plain decimal number, or the scrape fails; a host
// without EDAC serves nothing. Values parse with ParseSysfsUint64; the collector holds only its
// directory path and is thread-safe.
#pragma once

#include <string_view>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// The label node_exporter derives from a "<prefix>[0-9]*" entry: the digits right after the prefix
// (possibly none, for "mcX").
std::string_view EdacIndexLabel(std::string_view entry, std::string_view prefix);

CollectorSpec MakeEdacSpec();

}  // namespace buildfarm::exporter
