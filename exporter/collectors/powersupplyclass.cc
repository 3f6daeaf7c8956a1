#include "exporter/collectors/powersupplyclass.h"

#include <memory>
#include <vector>

#include "common/file_reader.h"
#include "exporter/procfs/device_regex_filter.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

struct NumericAttribute {
  std::string_view file;
  std::string_view metric;
  double divisor;  // node_exporter divides (v/1e6, not v*1e-6: the last bit differs)
};

constexpr double kMicro = 1e6;
constexpr double kDeci = 10.0;

constexpr NumericAttribute kNumericAttributes[] = {
    {"authentic", "authentic", 1},
    {"calibrate", "calibrate", 1},
    {"capacity", "capacity", 1},
    {"capacity_alert_max", "capacity_alert_max", 1},
    {"capacity_alert_min", "capacity_alert_min", 1},
    {"cycle_count", "cyclecount", 1},
    {"online", "online", 1},
    {"present", "present", 1},
    {"time_to_empty_now", "time_to_empty_seconds", 1},
    {"time_to_full_now", "time_to_full_seconds", 1},
    {"current_boot", "current_boot", kMicro},
    {"current_max", "current_max", kMicro},
    {"current_now", "current_ampere", kMicro},
    {"energy_empty", "energy_empty", kMicro},
    {"energy_empty_design", "energy_empty_design", kMicro},
    {"energy_full", "energy_full", kMicro},
    {"energy_full_design", "energy_full_design", kMicro},
    {"energy_now", "energy_watthour", kMicro},
    {"voltage_boot", "voltage_boot", kMicro},
    {"voltage_max", "voltage_max", kMicro},
    {"voltage_max_design", "voltage_max_design", kMicro},
    {"voltage_min", "voltage_min", kMicro},
    {"voltage_min_design", "voltage_min_design", kMicro},
    {"voltage_now", "voltage_volt", kMicro},
    {"voltage_ocv", "voltage_ocv", kMicro},
    {"charge_control_limit", "charge_control_limit", kMicro},
    {"charge_control_limit_max", "charge_control_limit_max", kMicro},
    {"charge_counter", "charge_counter", kMicro},
    {"charge_empty", "charge_empty", kMicro},
    {"charge_empty_design", "charge_empty_design", kMicro},
    {"charge_full", "charge_full", kMicro},
    {"charge_full_design", "charge_full_design", kMicro},
    {"charge_now", "charge_ampere", kMicro},
    {"charge_term_current", "charge_term_current", kMicro},
    {"constant_charge_current", "constant_charge_current", kMicro},
    {"constant_charge_current_max", "constant_charge_current_max", kMicro},
    {"constant_charge_voltage", "constant_charge_voltage", kMicro},
    {"constant_charge_voltage_max", "constant_charge_voltage_max", kMicro},
    {"precharge_current", "precharge_current", kMicro},
    {"input_current_limit", "input_current_limit", kMicro},
    {"power_now", "power_watt", kMicro},
    {"temp", "temp_celsius", kDeci},
    {"temp_alert_max", "temp_alert_max_celsius", kDeci},
    {"temp_alert_min", "temp_alert_min_celsius", kDeci},
    {"temp_ambient", "temp_ambient_celsius", kDeci},
    {"temp_ambient_max", "temp_ambient_max_celsius", kDeci},
    {"temp_ambient_min", "temp_ambient_min_celsius", kDeci},
    {"temp_max", "temp_max_celsius", kDeci},
    {"temp_min", "temp_min_celsius", kDeci},
};

// Parsed (so a bad value fails the scrape, as in procfs) but not exported by node_exporter 1.5.
constexpr std::string_view kUnexportedNumbers[] = {"charge_avg",        "current_avg",      "energy_avg", "power_avg",
                                                   "time_to_empty_avg", "time_to_full_avg", "voltage_avg"};

constexpr std::string_view kInfoLabels[] = {"capacity_level", "charge_type",   "health", "manufacturer",
                                            "model_name",     "serial_number", "status", "technology",
                                            "type",           "usb_type",      "scope"};

}  // namespace

Status ParsePowerSupplyAttribute(std::string_view file, std::string_view value, PowerSupply& supply) {
  for (const NumericAttribute& attribute : kNumericAttributes) {
    if (attribute.file != file) continue;
    auto number = ParseGoInt64(value);
    if (!number) {
      return ParseError(std::string(file) + ": \"" + std::string(value.substr(0, 64)) + "\" is not an integer");
    }
    supply.values[std::string(attribute.metric)] = static_cast<double>(*number) / attribute.divisor;
    return Status::Ok();
  }
  for (std::string_view unexported : kUnexportedNumbers) {
    if (unexported == file && !ParseGoInt64(value)) {
      return ParseError(std::string(file) + ": \"" + std::string(value.substr(0, 64)) + "\" is not an integer");
    }
  }
  for (std::string_view label : kInfoLabels) {
    if (label != file) continue;
    if (value.empty()) {
      supply.labels.erase(std::string(label));
    } else {
      supply.labels[std::string(label)] = ToValidUtf8(value);
    }
  }
  return Status::Ok();
}

namespace {

struct PowerSupplyOptions {
  std::string ignored_supplies = "^$";
};

class PowerSupplyClassCollector : public Collector {
 public:
  PowerSupplyClassCollector(std::string class_dir, std::unique_ptr<DeviceRegexFilter> ignored)
      : class_dir_(std::move(class_dir)), ignored_(std::move(ignored)) {}
  std::string_view name() const override { return "powersupplyclass"; }

  Status Collect(Families& out) override {
    auto names = ListDirectory(class_dir_);
    if (!names.ok()) return names.status();  // kNotFound without the class: "no data", as node_exporter
    std::vector<std::pair<std::string, PowerSupply>> supplies;
    for (const std::string& name : *names) {
      // Read before filtering, as node_exporter does: a broken ignored supply still fails the scrape.
      auto supply = ReadSupply(JoinPath(class_dir_, name));
      // A supply unplugged since the listing is skipped; node_exporter 1.5 drops the scrape then.
      if (!supply.ok() && supply.status().code() == StatusCode::kNotFound) continue;
      if (!supply.ok()) return supply.status();
      if (!ignored_->Ignored(name)) supplies.emplace_back(name, std::move(supply).value());
    }
    std::map<std::string, prometheus::MetricFamily> numeric;
    for (const auto& [name, supply] : supplies) {
      for (const auto& [metric, value] : supply.values) {
        auto& family = numeric[metric];
        if (family.name.empty()) {
          family.name = "node_power_supply_" + metric;
          family.help = metric + " value of /sys/class/power_supply/<power_supply>.";
          family.type = kGauge;
        }
        AddSample(family, {{"power_supply", name}}, value);
      }
    }
    for (auto& [metric, family] : numeric) out.push_back(std::move(family));
    if (supplies.empty()) return Status::Ok();
    auto& info = AddFamily(out, "node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.", kGauge);
    for (const auto& [name, supply] : supplies) {
      std::map<std::string, std::string> sorted = supply.labels;  // label-name order, as node_exporter writes
      sorted["power_supply"] = name;
      std::vector<prometheus::ClientMetric::Label> labels;
      for (const auto& [label, value] : sorted) labels.push_back({label, value});
      AddSample(info, std::move(labels), 1);
    }
    return Status::Ok();
  }

 private:
  static Result<PowerSupply> ReadSupply(const std::string& dir) {
    // kNotFound when the supply's directory has gone.
    auto attributes = ReadRegularAttributes(dir, [](std::string_view) { return true; });
    if (!attributes.ok()) return attributes.status();
    PowerSupply supply;
    for (const auto& [file, value] : *attributes) {
      Status parsed = ParsePowerSupplyAttribute(file, value, supply);
      if (!parsed.ok()) return parsed.WithContext(dir);
    }
    return supply;
  }

  std::string class_dir_;
  std::unique_ptr<DeviceRegexFilter> ignored_;
};

}  // namespace

CollectorSpec MakePowerSupplyClassSpec() {
  auto options = std::make_shared<PowerSupplyOptions>();
  CollectorSpec spec;
  spec.name = "powersupplyclass";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddString("collector.powersupply.ignored-supplies", &options->ignored_supplies,
                    "Regexp of power supplies to ignore for powersupplyclass collector.");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    auto ignored =
        DeviceRegexFilter::CreateIgnoring("collector.powersupply.ignored-supplies", options->ignored_supplies);
    if (!ignored.ok()) return ignored.status();
    return std::unique_ptr<Collector>(
        std::make_unique<PowerSupplyClassCollector>(env.paths.Sys("class/power_supply"), std::move(ignored).value()));
  };
  return spec;
}

}  // namespace buildfarm::exporter
