// infiniband collector: node_infiniband_info{board_id,device,firmware_version,hca_type} and, per
// port of every device in /sys/class/infiniband, node_infiniband_state_id, physical_state_id,
// rate_bytes_per_second and the counters of ports/<n>/counters (and the pre-4.5 counters_ext), as
// node_exporter 1.5 serves them.
//
// procfs's rules are kept: fw_ver and board_id must exist, hca_type may not; the data counters
// (port_rcv_data, port_xmit_data and their _64 legacy forms) count 32-bit words, so they are served
// times 4; a counter reading "N/A (no PMA)" is left out, any other unparsable one fails the scrape.
// Unlike node_exporter 1.5, a device removed between listing and reading (or whose required files
// are missing) is skipped instead of reporting "no data" for all devices. The parsers are pure; the
// collector holds only a path and is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct InfiniBandPort {
  std::uint32_t number = 0;
  std::uint32_t state_id = 0;
  std::string state;
  std::uint32_t phys_state_id = 0;
  std::string phys_state;
  std::uint64_t rate_bytes_per_second = 0;
  // Indexed like InfiniBandCounterFiles(); nullopt when the port does not have the file.
  std::vector<std::optional<std::uint64_t>> counters;
};

struct InfiniBandDevice {
  std::string name, board_id, firmware_version, hca_type;
  std::vector<InfiniBandPort> ports;
};

struct InfiniBandCounterFile {
  std::string_view directory;  // "counters" or "counters_ext"
  std::string_view file;
  std::string_view metric;     // after node_infiniband_
  std::string_view help;
  bool counts_words;           // served times 4
};

const std::vector<InfiniBandCounterFile>& InfiniBandCounterFiles();

// "4: ACTIVE" (the state and phys_state files): the id and the trimmed name.
Result<std::pair<std::uint32_t, std::string>> ParseInfiniBandState(std::string_view text);

// "100 Gb/sec (4X EDR)" (the rate file) in bytes per second.
Result<std::uint64_t> ParseInfiniBandRate(std::string_view text);

// Stores one counter file's trimmed contents into port.counters (sized on first use). Unknown files
// are ignored; "N/A (no PMA)" leaves the counter out; anything else that is not a Go unsigned
// integer is a parse error naming the file.
Status ParseInfiniBandCounter(std::string_view directory, std::string_view file, std::string_view value,
                              InfiniBandPort& port);

CollectorSpec MakeInfinibandSpec();

}  // namespace buildfarm::exporter
