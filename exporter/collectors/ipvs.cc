#include "exporter/collectors/ipvs.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

// node_exporter's order (its flag default), which is also the order label values are joined in.
constexpr std::string_view kBackendLabelOrder[] = {"local_address", "local_port", "remote_address",
                                                   "remote_port",   "proto",      "local_mark"};

std::string Quote(std::string_view s) { return "\"" + std::string(s.substr(0, 80)) + "\""; }

std::string FormatIpv6(const unsigned char bytes[16]) {
  // Go prints an IPv4-mapped address dotted, as it does any 4-byte address.
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char buffer[INET6_ADDRSTRLEN];
  if (std::equal(kMapped, kMapped + 12, bytes)) {
    return inet_ntop(AF_INET, bytes + 12, buffer, sizeof buffer) ? buffer : "";
  }
  return inet_ntop(AF_INET6, bytes, buffer, sizeof buffer) ? buffer : "";
}

// "0A00020F:01BB" (13 characters) or "[2001:0db8:...:0010]:0050" (46 characters), as procfs takes them.
Status ParseAddressPort(std::string_view text, std::string& address, std::uint16_t& port) {
  if (text.size() == 13) {
    unsigned char bytes[4];
    for (int i = 0; i < 4; ++i) {
      auto byte = ParseGoUint(text.substr(static_cast<std::size_t>(i) * 2, 2), 16, 8);
      if (!byte) return ParseError("address " + Quote(text) + " is not 8 hex digits");
      bytes[i] = static_cast<unsigned char>(*byte);
    }
    address = std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." + std::to_string(bytes[2]) + "." +
              std::to_string(bytes[3]);
  } else if (text.size() == 46) {
    std::string inner(text.substr(1, 39));
    unsigned char bytes[16];
    if (inet_pton(AF_INET6, inner.c_str(), bytes) != 1) return ParseError("invalid IPv6 address " + Quote(inner));
    address = FormatIpv6(bytes);
  } else {
    return ParseError("unexpected IP:Port " + Quote(text) + " (want 8 hex digits or a bracketed IPv6 address)");
  }
  auto parsed = ParseGoUint(text.substr(text.size() - 4), 16, 16);
  if (!parsed) return ParseError("port of " + Quote(text) + " is not 4 hex digits");
  port = static_cast<std::uint16_t>(*parsed);
  return Status::Ok();
}

}  // namespace

Result<IpvsStats> ParseIpvsStats(std::string_view text) {
  // Two header lines, the totals, then the rates: at least three newlines.
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) return ParseError("ip_vs_stats is too short: want the totals on line 3");
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  auto fields = text::Fields(lines[2]);
  if (fields.size() != 5) {
    return ParseError("ip_vs_stats line 3 has " + std::to_string(fields.size()) + " fields, want 5 hex counters");
  }
  std::uint64_t values[5];
  for (std::size_t i = 0; i < 5; ++i) {
    auto value = ParseGoUint(fields[i], 16, 64);
    if (!value) return ParseError("ip_vs_stats counter " + Quote(fields[i]) + " is not a 64-bit hex number");
    values[i] = *value;
  }
  return IpvsStats{values[0], values[1], values[2], values[3], values[4]};
}

Result<std::vector<IpvsBackend>> ParseIpvsBackends(std::string_view text) {
  std::vector<IpvsBackend> backends;
  IpvsBackend service;  // the current virtual service's fields
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto fields = text::Fields(line);
    if (fields.empty() || fields[0] == "IP" || fields[0] == "Prot") continue;
    if (fields.size() < 2 || fields[1] == "RemoteAddress:Port") continue;
    const std::string where = " on line " + std::to_string(lines.line_number());
    if (fields[0] == "TCP" || fields[0] == "UDP") {
      service = IpvsBackend{};
      service.proto = std::string(fields[0]);
      Status status = ParseAddressPort(fields[1], service.local_address, service.local_port);
      if (!status.ok()) return status.WithContext("local address" + where);
    } else if (fields[0] == "FWM") {
      service = IpvsBackend{};
      service.proto = "FWM";
      service.local_mark = std::string(fields[1]);
    } else if (fields[0] == "->" && fields.size() >= 6) {
      IpvsBackend backend = service;
      Status status = ParseAddressPort(fields[1], backend.remote_address, backend.remote_port);
      if (!status.ok()) return status.WithContext("remote address" + where);
      std::uint64_t* targets[] = {&backend.weight, &backend.active_connections, &backend.inactive_connections};
      for (std::size_t i = 0; i < 3; ++i) {
        auto value = ParseGoUint(fields[3 + i], 10, 64);
        if (!value) return ParseError("weight/ActiveConn/InActConn " + Quote(fields[3 + i]) + " is not a number" + where);
        *targets[i] = *value;
      }
      backends.push_back(std::move(backend));
    }
  }
  return backends;
}

Result<std::vector<std::string>> ParseIpvsBackendLabels(std::string_view flag_value) {
  std::set<std::string, std::less<>> wanted;
  for (std::size_t start = 0;;) {
    std::size_t comma = flag_value.find(',', start);
    std::string_view label = flag_value.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (!label.empty()) wanted.insert(std::string(label));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::vector<std::string> labels;
  for (std::string_view label : kBackendLabelOrder) {
    auto found = wanted.find(label);
    if (found == wanted.end()) continue;
    labels.emplace_back(label);
    wanted.erase(found);
  }
  if (!wanted.empty()) {
    std::string unknown;
    for (const auto& label : wanted) unknown += (unknown.empty() ? "" : ", ") + label;
    std::string allowed;
    for (std::string_view label : kBackendLabelOrder) allowed += (allowed.empty() ? "" : ", ") + std::string(label);
    return InvalidArgument("--collector.ipvs.backend-labels: unknown IPVS backend labels \"" + unknown +
                           "\"; allowed: " + allowed);
  }
  return labels;
}

namespace {

struct IpvsOptions {
  std::string backend_labels = "local_address,local_port,remote_address,remote_port,proto,local_mark";
};

std::string LabelValue(const IpvsBackend& backend, std::string_view label) {
  if (label == "local_address") return backend.local_address;
  if (label == "local_port") return std::to_string(backend.local_port);
  if (label == "remote_address") return backend.remote_address;
  if (label == "remote_port") return std::to_string(backend.remote_port);
  if (label == "proto") return backend.proto;
  return ToValidUtf8(backend.local_mark);
}

class IpvsCollector : public Collector {
 public:
  IpvsCollector(std::string stats_path, std::string backends_path, std::vector<std::string> labels)
      : stats_path_(std::move(stats_path)), backends_path_(std::move(backends_path)), labels_(std::move(labels)) {}
  std::string_view name() const override { return "ipvs"; }

  Status Collect(Families& out) override {
    auto stats_text = ReadFileCapped(stats_path_, 64 * 1024);
    if (!stats_text.ok()) return stats_text.status();  // kNotFound without the ip_vs module: "no data"
    auto stats = ParseIpvsStats(*stats_text);
    if (!stats.ok()) return stats.status().WithContext(stats_path_);
    // ip_vs lists every real server; tens of thousands fit in the cap.
    auto backends_text = ReadFileCapped(backends_path_, 16 << 20);
    if (!backends_text.ok()) {
      // With ip_vs_stats present this is a failure, as node_exporter reports it.
      return IoError(backends_text.status().message()).WithContext("could not get backend status");
    }
    auto backends = ParseIpvsBackends(*backends_text);
    if (!backends.ok()) return backends.status().WithContext(backends_path_);

    AddSingle(out, "node_ipvs_connections_total", "The total number of connections made.", kCounter,
              static_cast<double>(stats->connections));
    AddSingle(out, "node_ipvs_incoming_packets_total", "The total number of incoming packets.", kCounter,
              static_cast<double>(stats->incoming_packets));
    AddSingle(out, "node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", kCounter,
              static_cast<double>(stats->outgoing_packets));
    AddSingle(out, "node_ipvs_incoming_bytes_total", "The total amount of incoming data.", kCounter,
              static_cast<double>(stats->incoming_bytes));
    AddSingle(out, "node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", kCounter,
              static_cast<double>(stats->outgoing_bytes));

    // Backends that agree on the chosen labels are summed, as node_exporter does.
    struct Sum {
      std::vector<std::string> values;
      double active = 0, inactive = 0, weight = 0;
    };
    std::map<std::vector<std::string>, Sum> sums;
    for (const IpvsBackend& backend : *backends) {
      std::vector<std::string> values;
      for (const auto& label : labels_) values.push_back(LabelValue(backend, label));
      Sum& sum = sums[values];
      sum.values = values;
      sum.active += static_cast<double>(backend.active_connections);
      sum.inactive += static_cast<double>(backend.inactive_connections);
      sum.weight += static_cast<double>(backend.weight);
    }
    auto& active = AddFamily(out, "node_ipvs_backend_connections_active",
                             "The current active connections by local and remote address.", kGauge);
    auto& inactive = AddFamily(out, "node_ipvs_backend_connections_inactive",
                               "The current inactive connections by local and remote address.", kGauge);
    auto& weight =
        AddFamily(out, "node_ipvs_backend_weight", "The current backend weight by local and remote address.", kGauge);
    for (const auto& [key, sum] : sums) {
      std::vector<prometheus::ClientMetric::Label> labels;
      for (std::size_t i = 0; i < labels_.size(); ++i) labels.push_back({labels_[i], sum.values[i]});
      // In label-name order, as node_exporter writes them.
      std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
      AddSample(active, labels, sum.active);
      AddSample(inactive, labels, sum.inactive);
      AddSample(weight, labels, sum.weight);
    }
    return Status::Ok();
  }

 private:
  std::string stats_path_;
  std::string backends_path_;
  std::vector<std::string> labels_;
};

}  // namespace

CollectorSpec MakeIpvsSpec() {
  auto options = std::make_shared<IpvsOptions>();
  CollectorSpec spec;
  spec.name = "ipvs";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.ipvs.backend-labels", &options->backend_labels,
                    "Comma separated list for IPVS backend stats labels.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto labels = ParseIpvsBackendLabels(options->backend_labels);
    if (!labels.ok()) return labels.status();
    return std::unique_ptr<Collector>(std::make_unique<IpvsCollector>(
        env.paths.Proc("net/ip_vs_stats"), env.paths.Proc("net/ip_vs"), std::move(labels).value()));
  };
  return spec;
}

}  // namespace buildfarm::exporter
