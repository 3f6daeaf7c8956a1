#include "exporter/collectors/rapl.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

RaplZoneName RaplZoneIndexAndName(std::string_view raw_name, std::map<std::string, std::int64_t>& seen) {
  RaplZoneName zone{std::string(raw_name), 0};
  std::size_t dash = raw_name.find('-');
  bool two_parts = dash != std::string_view::npos && raw_name.find('-', dash + 1) == std::string_view::npos;
  // Go's strconv.Atoi: optional sign, decimal digits, within int (64-bit on node_exporter's builds).
  std::optional<std::int64_t> suffix;
  if (two_parts) {
    std::string_view digits = raw_name.substr(dash + 1);
    bool double_sign = digits.size() >= 2 && digits[0] == '+' && (digits[1] == '-' || digits[1] == '+');
    if (!double_sign) suffix = text::ParseInt64(digits);
  }
  if (suffix) {
    zone = {std::string(raw_name.substr(0, dash)), *suffix};
  } else {
    zone.index = seen[zone.name];
  }
  seen[zone.name] = static_cast<std::int64_t>(static_cast<std::uint64_t>(zone.index) + 1);  // wraps as in Go
  return zone;
}

std::string SanitizeMetricName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    bool valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!valid) c = '_';
  }
  return out;
}

namespace {

struct RaplOptions {
  bool zone_label = false;
};

struct Zone {
  RaplZoneName id;
  std::string path;
};

class RaplCollector : public Collector {
 public:
  RaplCollector(std::string class_dir, bool zone_label) : class_dir_(std::move(class_dir)), zone_label_(zone_label) {}
  std::string_view name() const override { return "rapl"; }

  Status Collect(Families& out) override {
    auto entries = ListDirectory(class_dir_);
    if (!entries.ok()) return entries.status();  // kNotFound: no powercap, "no data" as in node_exporter
    std::vector<Zone> zones;
    std::map<std::string, std::int64_t> seen;
    for (const std::string& entry : *entries) {
      std::string path = JoinPath(class_dir_, entry);
      auto name = ReadFileCapped(JoinPath(path, "name"), 4096);
      if (!name.ok()) continue;  // the control type directory (intel-rapl) has no name
      Zone zone{RaplZoneIndexAndName(text::Trim(*name), seen), path};
      auto max_range = ReadFileCapped(JoinPath(path, "max_energy_range_uj"), 4096);
      if (!max_range.ok()) return max_range.status();
      auto parsed_range = ParseSysfsUint64(*max_range);
      if (!parsed_range.ok()) return parsed_range.status().WithContext(path);
      zones.push_back(std::move(zone));
    }
    std::map<std::string, prometheus::MetricFamily> families;
    for (const Zone& zone : zones) {
      std::string energy_path = JoinPath(zone.path, "energy_uj");
      SysfsAttribute energy = ReadWholeSysfsFile(energy_path);
      if (energy.error == EACCES || energy.error == EPERM) {
        return NotFound("read " + energy_path + ": " + std::strerror(energy.error));  // root-only since 2020
      }
      if (energy.error != 0) return IoError("read " + energy_path + ": " + std::strerror(energy.error));
      auto microjoules = ParseSysfsUint64(energy.value);
      if (!microjoules.ok()) return microjoules.status().WithContext(energy_path);
      double joules = static_cast<double>(*microjoules) / 1000000.0;
      std::string index = std::to_string(zone.id.index);
      std::string metric =
          zone_label_ ? "node_rapl_joules_total" : "node_rapl_" + SanitizeMetricName(zone.id.name + "_joules_total");
      auto& family = families[metric];
      if (family.name.empty()) {
        family.name = metric;
        family.help =
            zone_label_ ? "Current RAPL value in joules" : "Current RAPL " + zone.id.name + " value in joules";
        family.type = kCounter;
      }
      if (zone_label_) {
        AddSample(family, {{"index", index}, {"path", zone.path}, {"rapl_zone", zone.id.name}}, joules);
      } else {
        AddSample(family, {{"index", index}, {"path", zone.path}}, joules);
      }
    }
    for (auto& [metric, family] : families) out.push_back(std::move(family));
    return Status::Ok();
  }

 private:
  std::string class_dir_;
  bool zone_label_;
};

}  // namespace

CollectorSpec MakeRaplSpec() {
  auto options = std::make_shared<RaplOptions>();
  CollectorSpec spec;
  spec.name = "rapl";
  spec.add_flags = [options](FlagSet& flags) {
    // node_exporter 1.5's help text for this flag is a copy-paste slip ("Enables service unit
    // metric unit_start_time_seconds"); ours says what it does.
    flags.AddBool("collector.rapl.enable-zone-label", &options->zone_label,
                  "Label RAPL energy by zone: one node_rapl_joules_total{rapl_zone} instead of a metric per "
                  "zone.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(
        std::make_unique<RaplCollector>(env.paths.Sys("class/powercap"), options->zone_label));
  };
  return spec;
}

}  // namespace buildfarm::exporter
