#include "exporter/collectors/arp.h"

#include <arpa/inet.h>

#include <cctype>
#include <memory>

#include "common/text.h"
#include "exporter/procfs/device_regex_filter.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kHeaderColumns = 9;  // "IP address", "HW type" and "HW address" count twice
constexpr std::size_t kEntryColumns = 6;

bool IsIpAddress(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return false;
  std::string address(text);
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 || inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

bool IsHardwareAddress(std::string_view text) {
  if (text.size() < 2) return false;
  const char separator = text.size() > 2 ? text[2] : ':';
  if (separator != ':' && separator != '-') return false;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < text.size(); i += 3) {
    if (i + 2 > text.size() || !std::isxdigit(static_cast<unsigned char>(text[i])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 1]))) {
      return false;
    }
    if (i + 2 < text.size() && text[i + 2] != separator) return false;
    ++bytes;
  }
  return (bytes == 6 || bytes == 8 || bytes == 20) && text.back() != separator;
}

}  // namespace

Result<std::vector<ArpDeviceCount>> ParseArpEntries(std::string_view text) {
  std::vector<ArpDeviceCount> counts;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto where = [&] { return "arp line " + std::to_string(lines.line_number()) + ": "; };
    auto columns = text::Fields(line);
    if (columns.empty() || columns.size() == kHeaderColumns) continue;
    if (columns.size() != kEntryColumns) {
      return ParseError(where() + "want " + std::to_string(kEntryColumns) + " columns, got " +
                        std::to_string(columns.size()));
    }
    if (!IsIpAddress(columns[0])) return ParseError(where() + "\"" + std::string(columns[0].substr(0, 64)) + "\" is not an IP address");
    if (!IsHardwareAddress(columns[3])) {
      return ParseError(where() + "\"" + std::string(columns[3].substr(0, 64)) + "\" is not a hardware address");
    }
    std::string_view device = columns[5];
    bool counted = false;
    for (auto& count : counts) {
      if (count.device == device) {
        ++count.entries;
        counted = true;
        break;
      }
    }
    if (!counted) counts.push_back({std::string(device), 1});
  }
  return counts;
}

namespace {

struct ArpOptions {
  DeviceFilterFlags filter{"collector.arp", ""};
};

class ArpCollector : public Collector {
 public:
  ArpCollector(std::string path, std::unique_ptr<DeviceRegexFilter> filter)
      : file_(std::move(path)), filter_(std::move(filter)) {}
  std::string_view name() const override { return "arp"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto counts = ParseArpEntries(*text);
    if (!counts.ok()) return counts.status().WithContext(file_.path());
    prometheus::MetricFamily* family = nullptr;
    for (const auto& count : *counts) {
      if (filter_->Ignored(count.device)) continue;
      if (family == nullptr) family = &AddFamily(out, "node_arp_entries", "ARP entries by device", kGauge);
      AddSample(*family, {{"device", count.device}}, static_cast<double>(count.entries));
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  std::unique_ptr<DeviceRegexFilter> filter_;
};

}  // namespace

CollectorSpec MakeArpSpec() {
  auto options = std::make_shared<ArpOptions>();
  CollectorSpec spec;
  spec.name = "arp";
  spec.add_flags = [options](FlagSet& flags) { options->filter.Register(flags, "arp"); };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto filter = options->filter.Build();
    if (!filter.ok()) return filter.status();
    return std::unique_ptr<Collector>(std::make_unique<ArpCollector>(env.paths.Proc("net/arp"), std::move(*filter)));
  };
  return spec;
}

}  // namespace buildfarm::exporter
