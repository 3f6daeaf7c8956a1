// netstat collector: node_netstat_<Protocol>_<Field> (untyped) from /proc/net/netstat, /proc/net/snmp
// and /proc/net/snmp6, for the keys that match --collector.netstat.fields (node_exporter 1.5's
// default list). /proc/net/snmp6 is optional (IPv6 disabled); the other two are required.
//
// The parsers are pure; the collector's only state is the memoizing field filter, which is
// thread-safe, so Collect() may run concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

inline constexpr char kDefaultNetstatFields[] =
    "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|"
    "Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
    "Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

struct NetstatCounter {
  std::string protocol;  // "TcpExt", "Ip6"
  std::string field;     // "ListenDrops", "InOctets"
  double value = 0;
};

// /proc/net/netstat and /proc/net/snmp: pairs of lines, "Proto: Name1 Name2 ..." then
// "Proto: value1 value2 ...". Counters in file order; errors name the line.
Result<std::vector<NetstatCounter>> ParseNetstatPairs(std::string_view text);

// /proc/net/snmp6: "Ip6InReceives   42" lines; the protocol runs up to and including the name's
// first '6' ("Udp6", "UdpLite6"). Lines without a '6' or a value are skipped, as node_exporter does.
Result<std::vector<NetstatCounter>> ParseSnmp6(std::string_view text);

CollectorSpec MakeNetstatSpec();

}  // namespace buildfarm::exporter
