#include "exporter/collectors/infiniband.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

const std::vector<InfiniBandCounterFile>& InfiniBandCounterFiles() {
  static const std::vector<InfiniBandCounterFile> files = {
      {"counters", "excessive_buffer_overrun_errors", "excessive_buffer_overrun_errors_total",
       "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least "
       "one overrun error.",
       false},
      {"counters", "link_downed", "link_downed_total",
       "Number of times the link failed to recover from an error state and went down", false},
      {"counters", "link_error_recovery", "link_error_recovery_total",
       "Number of times the link successfully recovered from an error state", false},
      {"counters", "local_link_integrity_errors", "local_link_integrity_errors_total",
       "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors.",
       false},
      {"counters", "multicast_rcv_packets", "multicast_packets_received_total",
       "Number of multicast packets received (including errors)", false},
      {"counters", "multicast_xmit_packets", "multicast_packets_transmitted_total",
       "Number of multicast packets transmitted (including errors)", false},
      {"counters", "port_rcv_constraint_errors", "port_constraint_errors_received_total",
       "Number of packets received on the switch physical port that are discarded", false},
      {"counters", "port_xmit_constraint_errors", "port_constraint_errors_transmitted_total",
       "Number of packets not transmitted from the switch physical port", false},
      {"counters", "port_rcv_data", "port_data_received_bytes_total", "Number of data octets received on all links",
       true},
      {"counters", "port_xmit_data", "port_data_transmitted_bytes_total",
       "Number of data octets transmitted on all links", true},
      {"counters", "port_rcv_discards", "port_discards_received_total",
       "Number of inbound packets discarded by the port because the port is down or congested", false},
      {"counters", "port_xmit_discards", "port_discards_transmitted_total",
       "Number of outbound packets discarded by the port because the port is down or congested", false},
      {"counters", "port_rcv_errors", "port_errors_received_total",
       "Number of packets containing an error that were received on this port", false},
      {"counters", "port_rcv_packets", "port_packets_received_total",
       "Number of packets received on all VLs by this port (including errors)", false},
      {"counters", "port_xmit_packets", "port_packets_transmitted_total",
       "Number of packets transmitted on all VLs from this port (including errors)", false},
      {"counters", "port_xmit_wait", "port_transmit_wait_total",
       "Number of ticks during which the port had data to transmit but no data was sent during the entire tick",
       false},
      {"counters", "port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total",
       "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.", false},
      {"counters", "port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total",
       "Number of packets that could not be forwarded by the switch.", false},
      {"counters", "symbol_error", "symbol_error_total",
       "Number of minor link errors detected on one or more physical lanes.", false},
      {"counters", "unicast_rcv_packets", "unicast_packets_received_total",
       "Number of unicast packets received (including errors)", false},
      {"counters", "unicast_xmit_packets", "unicast_packets_transmitted_total",
       "Number of unicast packets transmitted (including errors)", false},
      {"counters", "VL15_dropped", "vl15_dropped_total",
       "Number of incoming VL15 packets dropped due to resource limitations.", false},
      {"counters_ext", "port_multicast_rcv_packets", "legacy_multicast_packets_received_total",
       "Number of multicast packets received", false},
      {"counters_ext", "port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total",
       "Number of multicast packets transmitted", false},
      {"counters_ext", "port_rcv_data_64", "legacy_data_received_bytes_total",
       "Number of data octets received on all links", true},
      {"counters_ext", "port_rcv_packets_64", "legacy_packets_received_total",
       "Number of data packets received on all links", false},
      {"counters_ext", "port_unicast_rcv_packets", "legacy_unicast_packets_received_total",
       "Number of unicast packets received", false},
      {"counters_ext", "port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total",
       "Number of unicast packets transmitted", false},
      {"counters_ext", "port_xmit_data_64", "legacy_data_transmitted_bytes_total",
       "Number of data octets transmitted on all links", true},
      // node_exporter's HELP says "received" for the transmitted packets too; HELP texts must match.
      {"counters_ext", "port_xmit_packets_64", "legacy_packets_transmitted_total",
       "Number of data packets received on all links", false},
  };
  return files;
}

namespace {

std::string Quote(std::string_view text) { return "\"" + std::string(text.substr(0, 64)) + "\""; }

bool IsDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The decimal float syntax of Go's ParseFloat(s, 32): digits with an optional fraction and
// exponent; out of float32 range is an error. (Go's hex floats, "inf" and underscores are not
// accepted: no driver writes them.)
std::optional<float> ParseFloat32(std::string_view text) {
  std::size_t i = 0, digits = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!IsDigits(text.substr(i))) return std::nullopt;
    i = text.size();
  }
  if (i != text.size()) return std::nullopt;
  std::string copy(text);
  float value = std::strtof(copy.c_str(), nullptr);
  if (std::isinf(value)) return std::nullopt;
  return value;
}

}  // namespace

Result<std::pair<std::uint32_t, std::string>> ParseInfiniBandState(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
    return ParseError("state " + Quote(text) + " is not \"<id>: <name>\"");
  }
  std::string_view id_text = text::Trim(text.substr(0, colon));
  auto id = IsDigits(id_text) ? text::ParseUint64(id_text) : std::nullopt;
  if (!id || *id > UINT32_MAX) return ParseError("state id " + Quote(id_text) + " is not a 32-bit unsigned integer");
  return std::make_pair(static_cast<std::uint32_t>(*id), std::string(text::Trim(text.substr(colon + 1))));
}

Result<std::uint64_t> ParseInfiniBandRate(std::string_view text) {
  std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return ParseError("rate " + Quote(text) + " is not \"<n> Gb/sec ...\"");
  auto gigabits = ParseFloat32(text::Trim(text.substr(0, space)));
  // A negative rate has no meaning; Go's conversion of it to uint64 is machine-dependent.
  if (!gigabits || *gigabits < 0) return ParseError("rate " + Quote(text) + " does not start with a number");
  double bytes = static_cast<double>(*gigabits) * 125000000;  // Gb/s to bytes/s, in float64 as procfs
  if (bytes >= 18446744073709551616.0) return ParseError("rate " + Quote(text) + " is out of range");
  return static_cast<std::uint64_t>(bytes);
}

Status ParseInfiniBandCounter(std::string_view directory, std::string_view file, std::string_view value,
                              InfiniBandPort& port) {
  const auto& files = InfiniBandCounterFiles();
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].directory != directory || files[i].file != file) continue;
    auto parsed = ParseGoUint64(value);
    if (!parsed) {
      // Some firmware writes this for counters it cannot read (node_exporter issue 966).
      if (value.find("N/A (no PMA)") != std::string_view::npos) return Status::Ok();
      return ParseError(std::string(directory) + "/" + std::string(file) + ": " + Quote(value) +
                        " is not an unsigned integer");
    }
    if (port.counters.size() != files.size()) port.counters.resize(files.size());
    // Wraps like procfs's uint64 multiplication.
    port.counters[i] = files[i].counts_words ? *parsed * 4 : *parsed;
    return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace buildfarm::exporter
