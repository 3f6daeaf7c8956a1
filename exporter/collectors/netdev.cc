#include "exporter/collectors/netdev.h"

#include <iterator>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/file_reader.h"
#include "exporter/procfs/kept_open_file.h"
#include "common/text.h"
#include "exporter/procfs/device_regex_filter.h"
#include "exporter/procfs/rtnetlink_link.h"

namespace buildfarm::exporter {

Result<std::vector<NetDevLine>> ParseNetDev(std::string_view text) {
  std::vector<NetDevLine> out;
  std::size_t line_number = 0;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (++line_number <= 2) continue;  // the two header lines

    auto where = [&] { return "net/dev line " + std::to_string(line_number) + ": "; };
    std::size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) return ParseError(where() + "no colon after the interface name");
    NetDevLine entry;
    entry.device = text::Trim(line.substr(0, colon));
    std::string_view rest = line.substr(colon + 1);
    int count = 0;
    while (count < kNetDevValues) {
      std::size_t start = rest.find_first_not_of(" \t\r");
      if (start == std::string_view::npos) break;
      std::size_t end = rest.find_first_of(" \t\r", start);
      std::string_view field = rest.substr(start, end == std::string_view::npos ? rest.npos : end - start);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      auto value = text::ParseUint64(field);
      if (!value) {
        return ParseError(where() + "counter " + std::to_string(count + 1) + " \"" +
                          std::string(field.substr(0, 64)) + "\" is not an unsigned integer");
      }
      entry.values[count++] = *value;
    }
    if (count < kNetDevValues) {
      return ParseError(where() + "want " + std::to_string(kNetDevValues) + " counters, got " + std::to_string(count));
    }
    out.push_back(entry);
  }
  return out;
}

namespace {

const char* const kStatNames[kNetDevValues] = {
    "receive_bytes",  "receive_packets",  "receive_errs",  "receive_drop",  "receive_fifo",  "receive_frame",
    "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs",
    "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
};

// node_exporter 1.5 has no default exclude (Debian's package patches in "^lo$"; upstream does not).
struct NetdevOptions {
  DeviceFilterFlags filter{"collector.netdev", ""};
  bool netlink = true;
};

void AddNetdevFamilies(Families& out, const std::vector<std::string_view>& stats) {
  for (std::string_view stat : stats) {
    AddFamily(out, "node_network_" + std::string(stat) + "_total",
              "Network device statistic " + std::string(stat) + ".", kCounter);
  }
}

class NetdevCollector : public Collector {
 public:
  NetdevCollector(std::string path, std::unique_ptr<DeviceRegexFilter> filter)
      : file_(std::move(path)), filter_(std::move(filter)) {}
  std::string_view name() const override { return "netdev"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto lines = ParseNetDev(*text);
    if (!lines.ok()) return lines.status().WithContext(file_.path());

    // A repeated name keeps its last line, as node_exporter's map does.
    std::unordered_map<std::string_view, std::size_t> last_line;
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < lines->size(); ++i) {
      std::string_view device = (*lines)[i].device;
      if (filter_->Ignored(device)) continue;
      auto [it, inserted] = last_line.try_emplace(device, i);
      if (inserted) {
        order.push_back(i);
      } else {
        it->second = i;
      }
    }
    if (order.empty()) return Status::Ok();
    std::size_t first = out.size();
    AddNetdevFamilies(out, std::vector<std::string_view>(std::begin(kStatNames), std::end(kStatNames)));
    for (std::size_t i : order) {
      const NetDevLine& line = (*lines)[last_line[(*lines)[i].device]];
      std::string device(line.device);
      for (int k = 0; k < kNetDevValues; ++k) {
        AddSample(out[first + k], std::vector<prometheus::ClientMetric::Label>{{"device", device}},
                  static_cast<double>(line.values[k]));
      }
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  std::unique_ptr<DeviceRegexFilter> filter_;
};

// The netlink path: rtnl_link_stats64 folded into /proc/net/dev's names the way the kernel's
// net-procfs.c (and node_exporter's non-detailed mode) does, plus receive_nohandler, which only
// netlink has.
struct NetlinkStat {
  const char* name;
  std::vector<LinkStat> sum;
};

const std::vector<NetlinkStat>& NetlinkStats() {
  static const std::vector<NetlinkStat> kStats = {
      {"receive_bytes", {kRxBytes}},
      {"receive_packets", {kRxPackets}},
      {"receive_errs", {kRxErrors}},
      {"receive_drop", {kRxDropped, kRxMissedErrors}},
      {"receive_fifo", {kRxFifoErrors}},
      {"receive_frame", {kRxFrameErrors, kRxLengthErrors, kRxOverErrors, kRxCrcErrors}},
      {"receive_compressed", {kRxCompressed}},
      {"receive_multicast", {kMulticast}},
      {"receive_nohandler", {kRxNohandler}},
      {"transmit_bytes", {kTxBytes}},
      {"transmit_packets", {kTxPackets}},
      {"transmit_errs", {kTxErrors}},
      {"transmit_drop", {kTxDropped}},
      {"transmit_fifo", {kTxFifoErrors}},
      {"transmit_colls", {kCollisions}},
      {"transmit_carrier", {kTxCarrierErrors, kTxAbortedErrors, kTxHeartbeatErrors, kTxWindowErrors}},
      {"transmit_compressed", {kTxCompressed}},
  };
  return kStats;
}

class NetlinkNetdevCollector : public Collector {
 public:
  NetlinkNetdevCollector(LinkDumpSourceFactory source, std::unique_ptr<DeviceRegexFilter> filter)
      : source_(std::move(source)), filter_(std::move(filter)) {}
  std::string_view name() const override { return "netdev"; }

  Status Collect(Families& out) override {
    auto bytes = source_()->Dump();
    if (!bytes.ok()) return bytes.status();
    auto dump = ParseLinkDump(*bytes);
    if (!dump.ok()) return dump.status();
    // Interfaces without statistics are skipped, as node_exporter does; a repeated name keeps its last.
    std::unordered_map<std::string_view, const LinkStatsEntry*> latest;
    std::vector<std::string_view> order;
    for (const LinkStatsEntry& link : dump->links) {
      if (!link.has_stats || filter_->Ignored(link.name)) continue;
      auto [it, inserted] = latest.try_emplace(link.name, &link);
      if (inserted) order.push_back(link.name);
      it->second = &link;
    }
    if (order.empty()) return Status::Ok();
    std::size_t first = out.size();
    std::vector<std::string_view> names;
    for (const auto& stat : NetlinkStats()) names.push_back(stat.name);
    AddNetdevFamilies(out, names);
    for (std::string_view device : order) {
      const LinkStatsEntry& link = *latest[device];
      for (std::size_t k = 0; k < NetlinkStats().size(); ++k) {
        std::uint64_t value = 0;
        for (LinkStat field : NetlinkStats()[k].sum) value += link.stats[field];
        AddSample(out[first + k], std::vector<prometheus::ClientMetric::Label>{{"device", link.name}},
                  static_cast<double>(value));
      }
    }
    return Status::Ok();
  }

 private:
  LinkDumpSourceFactory source_;
  std::unique_ptr<DeviceRegexFilter> filter_;
};

}  // namespace

CollectorSpec MakeNetdevSpec(LinkDumpSourceFactory netlink_source) {
  if (!netlink_source) netlink_source = [] { return MakeRtnetlinkLinkSource(); };
  auto options = std::make_shared<NetdevOptions>();
  CollectorSpec spec;
  spec.name = "netdev";
  spec.add_flags = [options](FlagSet& flags) {
    options->filter.Register(flags, "network");
    flags.AddBool("collector.netdev.netlink", &options->netlink,
                  "Use netlink to gather stats instead of /proc/net/dev.");
  };
  spec.create = [options, netlink_source](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto filter = options->filter.Build();
    if (!filter.ok()) return filter.status();
    if (options->netlink) {
      return std::unique_ptr<Collector>(
          std::make_unique<NetlinkNetdevCollector>(netlink_source, std::move(filter).value()));
    }
    return std::unique_ptr<Collector>(
        std::make_unique<NetdevCollector>(env.paths.Proc("net/dev"), std::move(filter).value()));
  };
  return spec;
}

}  // namespace buildfarm::exporter
