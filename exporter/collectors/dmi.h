// dmi collector: node_dmi_info{bios_date,...,system_vendor} from /sys/class/dmi/id, as node_exporter
// 1.5 serves it.
//
// Like node_exporter, the attributes are read once when the collector is built (they change only
// with a reboot); labels are only those whose file is present and readable (serials are root-only),
// with invalid UTF-8 replaced. Without any, Collect() reports "no data" (kNotFound). The collector is
// immutable after construction and thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// The label for a /sys/class/dmi/id file name, or "" when node_exporter does not export that file.
std::string_view DmiLabelForFile(std::string_view file);

// The node_dmi_info labels from file name -> trimmed contents; files without a label are dropped.
std::map<std::string, std::string> DmiLabels(const std::map<std::string, std::string>& files);

CollectorSpec MakeDmiSpec();

}  // namespace buildfarm::exporter
