#include "exporter/collectors/netdev.h"

#include <memory>
#include <string>
#include <unordered_map>

#include "common/file_reader.h"
#include "exporter/procfs/kept_open_file.h"
#include "common/text.h"
#include "exporter/procfs/device_regex_filter.h"

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

struct NetdevOptions {
  DeviceFilterFlags filter{"collector.netdev", "^lo$"};
};

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
    for (const char* stat : kStatNames) {
      AddFamily(out, std::string("node_network_") + stat + "_total",
                std::string("Network device statistic ") + stat + ".", kCounter);
    }
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

}  // namespace

CollectorSpec MakeNetdevSpec() {
  auto options = std::make_shared<NetdevOptions>();
  CollectorSpec spec;
  spec.name = "netdev";
  spec.add_flags = [options](FlagSet& flags) { options->filter.Register(flags, "network"); };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto filter = options->filter.Build();
    if (!filter.ok()) return filter.status();
    return std::unique_ptr<Collector>(
        std::make_unique<NetdevCollector>(env.paths.Proc("net/dev"), std::move(filter).value()));
  };
  return spec;
}

}  // namespace buildfarm::exporter
