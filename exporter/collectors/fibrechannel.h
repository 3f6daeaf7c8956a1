// fibrechannel collector: node_fibrechannel_info{fc_host,speed,port_state,...} and the
// node_fibrechannel_*_total counters of every host in /sys/class/fc_host, as node_exporter 1.5
// serves them.
//
// Attributes are read with procfs's rules: one 128-byte read, trimmed; the 0x prefix of the WWN-like
// names (port_name, port_id, fabric_name, node_name) is dropped; statistics are Go base-0 integers
// ("0x1f"), and a counter reading 0xffffffffffffffff (not implemented by the HBA) is not served. A
// counter that does not parse fails the scrape, as in node_exporter. A missing attribute is served
// as "" (later procfs releases do this; drivers leave some out), and a host removed between listing
// and reading is skipped. ParseFibreChannelAttribute is pure; the collector is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct FibreChannelHost {
  std::string speed, port_state, port_type, symbolic_name, node_name, port_id, port_name, fabric_name, dev_loss_tmo,
      supported_classes, supported_speeds;
  std::uint64_t dumped_frames = 0, error_frames = 0, invalid_crc_count = 0, rx_frames = 0, rx_words = 0,
                tx_frames = 0, tx_words = 0, seconds_since_last_reset = 0, invalid_tx_word_count = 0,
                link_failure_count = 0, loss_of_sync_count = 0, loss_of_signal_count = 0, nos_count = 0,
                fcp_packet_aborts = 0;
};

// Stores a host attribute (file name relative to the host directory, such as "port_name") or a
// statistic ("statistics/rx_frames"); unknown names are ignored. A statistic that is not a Go
// unsigned integer is a parse error naming it.
Status ParseFibreChannelAttribute(std::string_view file, std::string_view value, FibreChannelHost& host);

CollectorSpec MakeFibrechannelSpec();

}  // namespace buildfarm::exporter
