#include "exporter/collectors/netclass.h"

#include <sys/stat.h>

#include <memory>

#include "common/file_reader.h"
#include "exporter/procfs/device_regex_filter.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

using Int64Field = std::optional<std::int64_t> NetClassIface::*;
using StringField = std::string NetClassIface::*;

struct NumericAttribute {
  std::string_view file;
  Int64Field field;
};

constexpr NumericAttribute kNumericAttributes[] = {
    {"addr_assign_type", &NetClassIface::addr_assign_type},
    {"carrier", &NetClassIface::carrier},
    {"carrier_changes", &NetClassIface::carrier_changes},
    {"carrier_up_count", &NetClassIface::carrier_up_count},
    {"carrier_down_count", &NetClassIface::carrier_down_count},
    {"dev_id", &NetClassIface::dev_id},
    {"dormant", &NetClassIface::dormant},
    {"flags", &NetClassIface::flags},
    {"ifindex", &NetClassIface::ifindex},
    {"iflink", &NetClassIface::iflink},
    {"link_mode", &NetClassIface::link_mode},
    {"mtu", &NetClassIface::mtu},
    {"name_assign_type", &NetClassIface::name_assign_type},
    {"netdev_group", &NetClassIface::netdev_group},
    {"speed", &NetClassIface::speed},
    {"tx_queue_len", &NetClassIface::tx_queue_len},
    {"type", &NetClassIface::type},
};

constexpr std::pair<std::string_view, StringField> kStringAttributes[] = {
    {"address", &NetClassIface::address}, {"broadcast", &NetClassIface::broadcast}, {"duplex", &NetClassIface::duplex},
    {"ifalias", &NetClassIface::ifalias}, {"operstate", &NetClassIface::operstate},
};

}  // namespace

const std::vector<std::string_view>& NetClassAttributeNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& attribute : kNumericAttributes) out.push_back(attribute.file);
    for (const auto& [file, field] : kStringAttributes) out.push_back(file);
    return out;
  }();
  return names;
}

void ParseNetClassAttribute(std::string_view name, std::string_view value, NetClassIface& iface) {
  for (const auto& attribute : kNumericAttributes) {
    if (attribute.file == name) {
      iface.*attribute.field = ParseGoInt64(value).value_or(0);
      return;
    }
  }
  for (const auto& [file, field] : kStringAttributes) {
    if (file == name) {
      iface.*field = std::string(value);
      return;
    }
  }
}

std::int64_t NetClassSpeedBytes(std::int64_t megabits) {
  // Go's int64 arithmetic wraps; unsigned arithmetic gives the same bits without undefined behaviour.
  auto product = static_cast<std::uint64_t>(megabits) * 1000u * 1000u;
  return static_cast<std::int64_t>(product) / 8;
}

namespace {

// One numeric family per attribute, in node_exporter's order, with its own metric name.
struct PropertyMetric {
  std::string_view metric;
  Int64Field field;
  prometheus::MetricType type;
};

constexpr PropertyMetric kPropertyMetrics[] = {
    {"address_assign_type", &NetClassIface::addr_assign_type, kGauge},
    {"carrier", &NetClassIface::carrier, kGauge},
    {"carrier_changes_total", &NetClassIface::carrier_changes, kCounter},
    {"carrier_up_changes_total", &NetClassIface::carrier_up_count, kCounter},
    {"carrier_down_changes_total", &NetClassIface::carrier_down_count, kCounter},
    {"device_id", &NetClassIface::dev_id, kGauge},
    {"dormant", &NetClassIface::dormant, kGauge},
    {"flags", &NetClassIface::flags, kGauge},
    {"iface_id", &NetClassIface::ifindex, kGauge},
    {"iface_link", &NetClassIface::iflink, kGauge},
    {"iface_link_mode", &NetClassIface::link_mode, kGauge},
    {"mtu_bytes", &NetClassIface::mtu, kGauge},
    {"name_assign_type", &NetClassIface::name_assign_type, kGauge},
    {"net_dev_group", &NetClassIface::netdev_group, kGauge},
    {"speed_bytes", &NetClassIface::speed, kGauge},
    {"transmit_queue_length", &NetClassIface::tx_queue_len, kGauge},
    {"protocol_type", &NetClassIface::type, kGauge},
};

struct NetclassOptions {
  std::string ignored_devices = "^$";
  bool ignore_invalid_speed = false;
  bool netlink = false;
};

class NetclassCollector : public Collector {
 public:
  NetclassCollector(std::string class_dir, std::unique_ptr<DeviceRegexFilter> ignored, bool ignore_invalid_speed)
      : class_dir_(std::move(class_dir)), ignored_(std::move(ignored)), ignore_invalid_speed_(ignore_invalid_speed) {}
  std::string_view name() const override { return "netclass"; }

  Status Collect(Families& out) override {
    auto names = ListDirectory(class_dir_);
    if (!names.ok()) return names.status();  // kNotFound without /sys/class/net: "no data", as node_exporter
    std::vector<std::pair<std::string, NetClassIface>> interfaces;
    for (const std::string& device : *names) {
      std::string dir = JoinPath(class_dir_, device);
      struct stat info;
      // bonding_masters is a regular file; an entry gone since the listing is skipped, as Go's ReadDir does.
      if (::lstat(dir.c_str(), &info) != 0 || S_ISREG(info.st_mode)) continue;
      if (ignored_->Ignored(device)) continue;
      auto iface = ReadInterface(dir);
      // An interface removed since the listing (a container's veth) is skipped. node_exporter 1.5
      // drops the whole scrape then; losing every node_network_up series for a race is worse.
      if (!iface.ok() && iface.status().code() == StatusCode::kNotFound) continue;
      if (!iface.ok()) return iface.status();
      interfaces.emplace_back(ToValidUtf8(device), std::move(iface).value());  // labels must be UTF-8
    }
    if (interfaces.empty()) return Status::Ok();
    auto& up = AddFamily(out, "node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", kGauge);
    for (const auto& [device, iface] : interfaces) {
      AddSample(up, {{"device", device}}, iface.operstate == "up" ? 1 : 0);
    }
    auto& info =
        AddFamily(out, "node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", kGauge);
    for (const auto& [device, iface] : interfaces) {
      // ifalias is whatever an administrator set; node_exporter 1.5 crashes on one that is not UTF-8.
      // In label-name order, as node_exporter writes them.
      AddSample(info,
                {{"address", ToValidUtf8(iface.address)},
                 {"broadcast", ToValidUtf8(iface.broadcast)},
                 {"device", device},
                 {"duplex", ToValidUtf8(iface.duplex)},
                 {"ifalias", ToValidUtf8(iface.ifalias)},
                 {"operstate", ToValidUtf8(iface.operstate)}},
                1);
    }
    for (const PropertyMetric& property : kPropertyMetrics) {
      prometheus::MetricFamily family;
      family.name = "node_network_" + std::string(property.metric);
      family.help = "Network device property: " + std::string(property.metric);
      family.type = property.type;
      for (const auto& [device, iface] : interfaces) {
        const auto& value = iface.*property.field;
        if (!value) continue;
        double sample = static_cast<double>(*value);
        if (property.field == &NetClassIface::speed) {
          // Drivers report -1 for an unknown speed; node_exporter 1.5 serves it unless told not to.
          if (*value < 0 && ignore_invalid_speed_) continue;
          sample = static_cast<double>(NetClassSpeedBytes(*value));
        }
        AddSample(family, {{"device", device}}, sample);
      }
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return Status::Ok();
  }

 private:
  // node_exporter reads the regular files of the interface directory; symlinks and directories are
  // skipped. kNotFound when the interface directory has gone.
  static Result<NetClassIface> ReadInterface(const std::string& dir) {
    auto attributes = ReadRegularAttributes(dir, [](std::string_view file) {
      for (std::string_view name : NetClassAttributeNames()) {
        if (name == file) return true;
      }
      return false;
    });
    if (!attributes.ok()) return attributes.status();
    NetClassIface iface;
    for (const auto& [file, value] : *attributes) ParseNetClassAttribute(file, value, iface);
    return iface;
  }

  std::string class_dir_;
  std::unique_ptr<DeviceRegexFilter> ignored_;
  bool ignore_invalid_speed_;
};

}  // namespace

CollectorSpec MakeNetclassSpec() {
  auto options = std::make_shared<NetclassOptions>();
  CollectorSpec spec;
  spec.name = "netclass";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.netclass.ignored-devices", &options->ignored_devices,
                    "Regexp of net devices to ignore for netclass collector.");
    flags.AddBool("collector.netclass.ignore-invalid-speed", &options->ignore_invalid_speed,
                  "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.");
    flags.AddBool("collector.netclass.netlink", &options->netlink,
                  "Accepted for node_exporter compatibility; buildfarm-exporter always reads /sys/class/net.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto ignored = DeviceRegexFilter::CreateIgnoring("collector.netclass.ignored-devices", options->ignored_devices);
    if (!ignored.ok()) return ignored.status();
    if (options->netlink) {
      env.log.Log(LogLevel::kWarn, "--collector.netclass.netlink is not supported; reading /sys/class/net",
                  {{"collector", "netclass"}});
    }
    return std::unique_ptr<Collector>(std::make_unique<NetclassCollector>(
        env.paths.Sys("class/net"), std::move(ignored).value(), options->ignore_invalid_speed));
  };
  return spec;
}

}  // namespace buildfarm::exporter
