// bonding collector: node_bonding_slaves and node_bonding_active{master} for every bond named in
// /sys/class/net/bonding_masters, as node_exporter 1.5 serves them: a slave counts as active when its
// lower_<slave>/bonding_slave/mii_status (slave_<slave>/... on older kernels) reads "up".
//
// Unlike node_exporter 1.5, which reports "no data" for the whole collector when a bond or slave
// disappears between reading the lists and reading its files, such a bond or slave is skipped.
// ParseBondingNames is pure; the collector holds only paths and is thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// The names in bonding_masters or bonding/slaves: whitespace-separated words, as Go's strings.Fields
// splits them (ASCII and Unicode spaces); empty for an empty file.
std::vector<std::string_view> ParseBondingNames(std::string_view text);

CollectorSpec MakeBondingSpec();

}  // namespace buildfarm::exporter
