#include "exporter/collectors/dmi.h"

#include <memory>
#include <vector>

#include "common/file_reader.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

constexpr std::pair<std::string_view, std::string_view> kFileLabels[] = {
    {"bios_date", "bios_date"},
    {"bios_release", "bios_release"},
    {"bios_vendor", "bios_vendor"},
    {"bios_version", "bios_version"},
    {"board_asset_tag", "board_asset_tag"},
    {"board_name", "board_name"},
    {"board_serial", "board_serial"},
    {"board_vendor", "board_vendor"},
    {"board_version", "board_version"},
    {"chassis_asset_tag", "chassis_asset_tag"},
    {"chassis_serial", "chassis_serial"},
    {"chassis_vendor", "chassis_vendor"},
    {"chassis_version", "chassis_version"},
    {"product_family", "product_family"},
    {"product_name", "product_name"},
    {"product_serial", "product_serial"},
    {"product_sku", "product_sku"},
    {"product_uuid", "product_uuid"},
    {"product_version", "product_version"},
    {"sys_vendor", "system_vendor"},
};

constexpr char kHelp[] =
    "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, "
    "board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, chassis_serial, "
    "chassis_vendor, chassis_version, product_family, product_name, product_serial, product_sku, product_uuid, "
    "product_version, system_vendor if provided by DMI.";

}  // namespace

std::string_view DmiLabelForFile(std::string_view file) {
  for (const auto& [name, label] : kFileLabels) {
    if (name == file) return label;
  }
  return "";
}

std::map<std::string, std::string> DmiLabels(const std::map<std::string, std::string>& files) {
  std::map<std::string, std::string> labels;
  for (const auto& [file, value] : files) {
    std::string_view label = DmiLabelForFile(file);
    if (!label.empty()) labels[std::string(label)] = ToValidUtf8(value);
  }
  return labels;
}

namespace {

class DmiCollector : public Collector {
 public:
  explicit DmiCollector(std::map<std::string, std::string> labels) : labels_(std::move(labels)) {}
  std::string_view name() const override { return "dmi"; }

  Status Collect(Families& out) override {
    if (labels_.empty()) return NotFound("no DMI information (/sys/class/dmi/id missing or empty)");
    auto& info = AddFamily(out, "node_dmi_info", kHelp, kGauge);
    std::vector<prometheus::ClientMetric::Label> labels;
    for (const auto& [name, value] : labels_) labels.push_back({name, value});
    AddSample(info, std::move(labels), 1);
    return Status::Ok();
  }

 private:
  const std::map<std::string, std::string> labels_;
};

// The DMI files with a label; a missing directory gives none. Files only root may read (the
// serials) or that vanished are left out.
Result<std::map<std::string, std::string>> ReadDmiFiles(const std::string& dir) {
  auto attributes = ReadRegularAttributes(dir, [](std::string_view file) { return !DmiLabelForFile(file).empty(); });
  std::map<std::string, std::string> files;
  if (!attributes.ok()) {
    if (attributes.status().code() == StatusCode::kNotFound) return files;
    return attributes.status();
  }
  for (auto& [file, value] : *attributes) files[file] = std::move(value);
  return files;
}

}  // namespace

CollectorSpec MakeDmiSpec() {
  CollectorSpec spec;
  spec.name = "dmi";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto files = ReadDmiFiles(env.paths.Sys("class/dmi/id"));
    if (!files.ok()) return files.status().WithContext("failed to read Desktop Management Interface (DMI) information");
    return std::unique_ptr<Collector>(std::make_unique<DmiCollector>(DmiLabels(*files)));
  };
  return spec;
}

}  // namespace buildfarm::exporter
