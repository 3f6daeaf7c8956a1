// tapestats collector: node_tape_* I/O counters of every SCSI tape drive in /sys/class/scsi_tape
// (only the st<N> entries; nst<N> and st<N>[a-l] are the same drive), as node_exporter 1.5 serves
// them, with its flag --collector.tapestats.ignored-devices (default "^$").
//
// Counters are read from <tape>/stats/* with procfs's rules (Go base-0 integers, so "0x10" is 16);
// one that does not parse fails the scrape, as in node_exporter. A tape removed between listing and
// reading is skipped. ParseTapeStat is pure; the collector holds immutable options and a
// thread-safe device filter.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct TapeCounters {
  std::uint64_t in_flight = 0, io_ns = 0, other_cnt = 0, read_byte_cnt = 0, read_cnt = 0, read_ns = 0, resid_cnt = 0,
                write_byte_cnt = 0, write_cnt = 0, write_ns = 0;
};

// Stores one stats file's trimmed contents; names outside the ten counters are ignored. A value that
// is not a Go unsigned integer is a parse error naming the file.
Status ParseTapeStat(std::string_view file, std::string_view value, TapeCounters& counters);

// Whether a /sys/class/scsi_tape entry is a tape procfs reads: ^st[0-9]+$.
bool IsTapeDeviceName(std::string_view name);

CollectorSpec MakeTapestatsSpec();

}  // namespace buildfarm::exporter
