#include "exporter/collectors/nvme.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/file_reader.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

class NvmeCollector : public Collector {
 public:
  explicit NvmeCollector(std::string class_dir) : class_dir_(std::move(class_dir)) {}
  std::string_view name() const override { return "nvme"; }

  Status Collect(Families& out) override {
    auto devices = ListDirectory(class_dir_);
    if (!devices.ok()) return devices.status();  // kNotFound: no NVMe, "no data" as in node_exporter
    prometheus::MetricFamily info;
    info.name = "node_nvme_info";
    info.help = "Non-numeric data from /sys/class/nvme/<device>, value is always 1.";
    info.type = kGauge;
    for (const std::string& device : *devices) {
      std::string dir = JoinPath(class_dir_, device);
      // Read in node_exporter's order, so the same file is blamed first.
      static constexpr std::pair<const char*, const char*> kAttributes[] = {
          {"firmware_rev", "firmware_revision"}, {"model", "model"}, {"serial", "serial"}, {"state", "state"}};
      std::vector<prometheus::ClientMetric::Label> labels{{"device", device}};
      bool removed = false;
      for (const auto& [file, label] : kAttributes) {
        std::string path = JoinPath(dir, file);
        SysfsAttribute value = ReadSysfsAttribute(path);
        if (value.error == ENOENT && ::access(dir.c_str(), F_OK) != 0) {
          removed = true;  // the controller went away since the listing: skip it, not the scrape
          break;
        }
        if (value.error != 0) {
          std::string message = "read " + path + ": " + std::strerror(value.error);
          return value.error == ENOENT ? NotFound(std::move(message)) : IoError(std::move(message));
        }
        labels.push_back({label, ToValidUtf8(value.value)});
      }
      if (!removed) AddSample(info, std::move(labels), 1);
    }
    if (!info.metric.empty()) out.push_back(std::move(info));
    return Status::Ok();
  }

 private:
  std::string class_dir_;
};

}  // namespace

CollectorSpec MakeNvmeSpec() {
  CollectorSpec spec;
  spec.name = "nvme";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<NvmeCollector>(env.paths.Sys("class/nvme")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
