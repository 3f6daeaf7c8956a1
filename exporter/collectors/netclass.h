// netclass collector: node_network_up, node_network_info{address,broadcast,device,duplex,ifalias,
// operstate} and the numeric properties (mtu_bytes, speed_bytes, carrier*, flags, iface_id, ...) of
// every interface in /sys/class/net, as node_exporter 1.5 serves them, with its flags
// --collector.netclass.ignored-devices (default "^$") and --collector.netclass.ignore-invalid-speed.
//
// Like node_exporter, an attribute that is missing or that the driver refuses (EINVAL, EOPNOTSUPP)
// is left out; a numeric attribute that does not parse is served as 0 (procfs's ValueParser does
// that). An interface removed between listing and reading is skipped (node_exporter 1.5 fails the
// scrape instead). ParseNetClassAttribute is pure; the collector holds immutable options and a thread-safe
// device filter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

struct NetClassIface {
  std::string address, broadcast, duplex, ifalias, operstate;
  std::optional<std::int64_t> addr_assign_type, carrier, carrier_changes, carrier_up_count, carrier_down_count, dev_id,
      dormant, flags, ifindex, iflink, link_mode, mtu, name_assign_type, netdev_group, speed, tx_queue_len, type;
};

// Every attribute file name the collector reads from /sys/class/net/<iface>/.
const std::vector<std::string_view>& NetClassAttributeNames();

// Stores one attribute file's (already trimmed) contents; names outside NetClassAttributeNames() are
// ignored. Numbers follow Go's base-0 syntax; one that does not parse is stored as 0.
void ParseNetClassAttribute(std::string_view name, std::string_view value, NetClassIface& iface);

// The link speed in bytes per second from /sys/class/net/<iface>/speed in Mbit/s, with
// node_exporter's 64-bit integer arithmetic (speed * 1000 * 1000 / 8, wrapping on overflow).
std::int64_t NetClassSpeedBytes(std::int64_t megabits);

CollectorSpec MakeNetclassSpec();

}  // namespace buildfarm::exporter
