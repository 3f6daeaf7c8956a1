// The infiniband collector proper: reads /sys/class/infiniband with infiniband.cc's parsers.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <tuple>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/collectors/infiniband.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

// state, phys_state and rate are a few bytes; the cap only bounds a corrupt tree.
constexpr std::size_t kMaxPortFileBytes = 4096;

bool IsKnownCounter(std::string_view directory, std::string_view file) {
  for (const auto& counter : InfiniBandCounterFiles()) {
    if (counter.directory == directory && counter.file == file) return true;
  }
  return false;
}

// fw_ver and board_id are required (kNotFound when missing, as for a removed device); hca_type is
// optional.
Result<std::string> ReadDeviceAttribute(const std::string& dir, std::string_view file, bool required) {
  std::string path = JoinPath(dir, file);
  SysfsAttribute read = ReadSysfsAttribute(path);
  if (read.error == ENOENT) {
    if (required) return NotFound(path + " does not exist");
    return std::string();
  }
  if (read.error != 0) return IoError("read " + path + ": " + std::strerror(read.error));
  return ToValidUtf8(read.value);
}

Result<InfiniBandPort> ReadPort(const std::string& ports_dir, const std::string& name) {
  InfiniBandPort port;
  auto number = text::ParseUint64(name);
  if (name.empty() || name[0] == '+' || !number || *number > UINT32_MAX) {
    return ParseError("port directory \"" + name + "\" is not a port number");
  }
  port.number = static_cast<std::uint32_t>(*number);
  std::string dir = JoinPath(ports_dir, name);
  for (std::string_view file : {"state", "phys_state"}) {
    auto text = ReadFileCapped(JoinPath(dir, file), kMaxPortFileBytes);
    if (!text.ok()) return text.status();
    auto state = ParseInfiniBandState(*text);
    if (!state.ok()) return state.status().WithContext(JoinPath(dir, file));
    if (file == "state") {
      std::tie(port.state_id, port.state) = *state;
    } else {
      std::tie(port.phys_state_id, port.phys_state) = *state;
    }
  }
  auto rate_text = ReadFileCapped(JoinPath(dir, "rate"), kMaxPortFileBytes);
  if (!rate_text.ok()) return rate_text.status();
  auto rate = ParseInfiniBandRate(*rate_text);
  if (!rate.ok()) return rate.status().WithContext(JoinPath(dir, "rate"));
  port.rate_bytes_per_second = *rate;
  for (std::string_view directory : {"counters", "counters_ext"}) {
    auto counters = ReadRegularAttributes(JoinPath(dir, directory),
                                          [directory](std::string_view file) { return IsKnownCounter(directory, file); });
    // Only kernels before 4.5 have counters_ext; counters is required.
    if (!counters.ok() && directory == "counters_ext" && counters.status().code() == StatusCode::kNotFound) break;
    if (!counters.ok()) return counters.status();
    for (const auto& [file, value] : *counters) {
      Status parsed = ParseInfiniBandCounter(directory, file, value, port);
      if (!parsed.ok()) return parsed.WithContext(dir);
    }
  }
  return port;
}

Result<InfiniBandDevice> ReadDevice(const std::string& class_dir, const std::string& name) {
  std::string dir = JoinPath(class_dir, name);
  InfiniBandDevice device;
  device.name = ToValidUtf8(name);
  auto firmware = ReadDeviceAttribute(dir, "fw_ver", true);
  if (!firmware.ok()) return firmware.status();
  device.firmware_version = std::move(firmware).value();
  auto board = ReadDeviceAttribute(dir, "board_id", true);
  if (!board.ok()) return board.status();
  device.board_id = std::move(board).value();
  auto hca = ReadDeviceAttribute(dir, "hca_type", false);
  if (!hca.ok()) return hca.status();
  device.hca_type = std::move(hca).value();
  std::string ports_dir = JoinPath(dir, "ports");
  auto ports = ListDirectory(ports_dir);
  if (!ports.ok()) return ports.status();
  for (const std::string& port_name : *ports) {
    auto port = ReadPort(ports_dir, port_name);
    if (!port.ok()) return port.status();
    bool duplicate = false;  // "1" and "01" are the same port to procfs, which keeps one
    for (const auto& known : device.ports) duplicate = duplicate || known.number == port->number;
    if (!duplicate) device.ports.push_back(std::move(port).value());
  }
  return device;
}

class InfinibandCollector : public Collector {
 public:
  explicit InfinibandCollector(std::string class_dir) : class_dir_(std::move(class_dir)) {}
  std::string_view name() const override { return "infiniband"; }

  Status Collect(Families& out) override {
    auto names = ListDirectory(class_dir_);
    if (!names.ok()) return names.status();  // kNotFound without RDMA hardware: "no data"
    std::vector<InfiniBandDevice> devices;
    for (const std::string& name : *names) {
      auto device = ReadDevice(class_dir_, name);
      // A device removed (or its port reset) since the listing is skipped.
      if (!device.ok() && device.status().code() == StatusCode::kNotFound) continue;
      if (!device.ok()) return device.status().WithContext("infiniband device " + name);
      devices.push_back(std::move(device).value());
    }
    if (devices.empty()) return Status::Ok();
    auto& info = AddFamily(out, "node_infiniband_info",
                           "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.", kGauge);
    for (const auto& device : devices) {
      AddSample(info,
                {{"board_id", device.board_id},
                 {"device", device.name},
                 {"firmware_version", device.firmware_version},
                 {"hca_type", device.hca_type}},
                1);
    }
    AddPortGauge(out, devices, "node_infiniband_state_id",
                 "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
                 [](const InfiniBandPort& port) { return static_cast<double>(port.state_id); });
    AddPortGauge(out, devices, "node_infiniband_physical_state_id",
                 "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: "
                 "link up, 6: link error recover, 7: phytest)",
                 [](const InfiniBandPort& port) { return static_cast<double>(port.phys_state_id); });
    AddPortGauge(out, devices, "node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate",
                 [](const InfiniBandPort& port) { return static_cast<double>(port.rate_bytes_per_second); });
    const auto& files = InfiniBandCounterFiles();
    for (std::size_t i = 0; i < files.size(); ++i) {
      prometheus::MetricFamily family;
      family.name = "node_infiniband_" + std::string(files[i].metric);
      family.help = std::string(files[i].help);
      family.type = kCounter;
      for (const auto& device : devices) {
        for (const auto& port : device.ports) {
          if (port.counters.size() <= i || !port.counters[i]) continue;
          AddSample(family, {{"device", device.name}, {"port", std::to_string(port.number)}},
                    static_cast<double>(*port.counters[i]));
        }
      }
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return Status::Ok();
  }

 private:
  template <typename Value>
  static void AddPortGauge(Families& out, const std::vector<InfiniBandDevice>& devices, std::string name,
                           std::string help, Value value) {
    prometheus::MetricFamily family;
    family.name = std::move(name);
    family.help = std::move(help);
    family.type = kGauge;
    for (const auto& device : devices) {
      for (const auto& port : device.ports) {
        AddSample(family, {{"device", device.name}, {"port", std::to_string(port.number)}}, value(port));
      }
    }
    if (!family.metric.empty()) out.push_back(std::move(family));  // devices without ports: no empty family
  }

  std::string class_dir_;
};

}  // namespace

CollectorSpec MakeInfinibandSpec() {
  CollectorSpec spec;
  spec.name = "infiniband";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<InfinibandCollector>(env.paths.Sys("class/infiniband")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
