#include "exporter/collectors/thermal_zone.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm::exporter {

Result<std::int64_t> ParseSysfsInt64(std::string_view text) {
  std::string_view trimmed = text::Trim(text);
  auto value = text::ParseInt64(trimmed);
  if (!value) return ParseError("\"" + std::string(trimmed.substr(0, 64)) + "\" is not an integer");
  return *value;
}

Result<ThermalZoneReading> ParseThermalZone(std::string_view type_text, std::string_view temp_text,
                                            const std::string_view* passive_text) {
  auto temp = ParseSysfsInt64(temp_text);
  if (!temp.ok()) return temp.status().WithContext("temp");
  if (passive_text != nullptr) {
    std::string_view passive = text::Trim(*passive_text);
    if (!text::ParseUint64(passive)) {
      return ParseError("passive: \"" + std::string(passive.substr(0, 64)) + "\" is not an unsigned integer");
    }
  }
  return ThermalZoneReading{std::string(text::Trim(type_text)), static_cast<double>(*temp) / 1000.0};
}

Result<CoolingDeviceReading> ParseCoolingDevice(std::string_view type_text, std::string_view cur_state_text,
                                                std::string_view max_state_text) {
  auto max_state = ParseSysfsInt64(max_state_text);
  if (!max_state.ok()) return max_state.status().WithContext("max_state");
  auto cur_state = ParseSysfsInt64(cur_state_text);
  if (!cur_state.ok()) return cur_state.status().WithContext("cur_state");
  return CoolingDeviceReading{std::string(text::Trim(type_text)), *cur_state, *max_state};
}

namespace {

constexpr std::size_t kMaxAttributeBytes = 4096;

// Entries named <prefix><digits...>, as node_exporter's glob "<prefix>[0-9]*" selects them.
std::vector<std::string> EntriesWithPrefix(const std::vector<std::string>& names, std::string_view prefix) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
        name[prefix.size()] >= '0' && name[prefix.size()] <= '9') {
      out.push_back(name);
    }
  }
  return out;
}

Result<std::string> ReadAttribute(const std::string& dir, std::string_view name) {
  return ReadFileCapped(JoinPath(dir, name), kMaxAttributeBytes);
}

class ThermalZoneCollector : public Collector {
 public:
  explicit ThermalZoneCollector(std::string class_dir) : class_dir_(std::move(class_dir)) {}
  std::string_view name() const override { return "thermal_zone"; }

  Status Collect(Families& out) override {
    auto names = ListDirectory(class_dir_);
    if (!names.ok()) {
      // No thermal class at all (containers, some VMs): nothing to report, like node_exporter.
      return names.status().code() == StatusCode::kNotFound ? Status::Ok() : names.status();
    }
    Families families;
    auto& temps = AddFamily(families, "node_thermal_zone_temp", "Zone temperature in Celsius", kGauge);
    for (const std::string& zone : EntriesWithPrefix(*names, "thermal_zone")) {
      std::string dir = JoinPath(class_dir_, zone);
      auto type = ReadAttribute(dir, "type");
      if (!type.ok()) return type.status();
      auto temp = ReadAttribute(dir, "temp");
      if (!temp.ok()) {
        if (temp.status().message().find(std::strerror(ENODATA)) != std::string::npos) continue;  // sensor off
        return temp.status();
      }
      auto policy = ReadAttribute(dir, "policy");  // required by node_exporter, though not exported
      if (!policy.ok()) return policy.status();
      auto passive = ReadAttribute(dir, "passive");
      std::string_view passive_view = passive.ok() ? std::string_view(*passive) : std::string_view();
      if (!passive.ok() && passive.status().code() != StatusCode::kNotFound) return passive.status();
      auto reading = ParseThermalZone(*type, *temp, passive.ok() ? &passive_view : nullptr);
      if (!reading.ok()) return reading.status().WithContext(dir);
      AddSample(temps, {{"zone", std::string_view(zone).substr(12)}, {"type", reading->type}}, reading->celsius);
    }
    std::size_t cur_index = families.size();
    AddFamily(families, "node_cooling_device_cur_state", "Current throttle state of the cooling device", kGauge);
    AddFamily(families, "node_cooling_device_max_state", "Maximum throttle state of the cooling device", kGauge);
    for (const std::string& device : EntriesWithPrefix(*names, "cooling_device")) {
      std::string dir = JoinPath(class_dir_, device);
      auto type = ReadAttribute(dir, "type");
      if (!type.ok()) return type.status();
      auto max_state = ReadAttribute(dir, "max_state");
      if (!max_state.ok()) return max_state.status();
      auto cur_state = ReadAttribute(dir, "cur_state");
      if (!cur_state.ok()) return cur_state.status();
      auto reading = ParseCoolingDevice(*type, *cur_state, *max_state);
      if (!reading.ok()) return reading.status().WithContext(dir);
      std::string_view id = std::string_view(device).substr(14);
      AddSample(families[cur_index], {{"name", id}, {"type", reading->type}}, static_cast<double>(reading->cur_state));
      AddSample(families[cur_index + 1], {{"name", id}, {"type", reading->type}},
                static_cast<double>(reading->max_state));
    }
    for (auto& family : families) {
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return Status::Ok();
  }

 private:
  std::string class_dir_;
};

}  // namespace

CollectorSpec MakeThermalZoneSpec() {
  CollectorSpec spec;
  spec.name = "thermal_zone";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<ThermalZoneCollector>(env.paths.Sys("class/thermal")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
