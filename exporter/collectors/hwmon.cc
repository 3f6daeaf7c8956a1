#include "exporter/collectors/hwmon.h"

#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

std::optional<HwmonSensorFile> ParseHwmonFileName(std::string_view name) {
  // <type: non-digits><number: digits, optional>[_<property: one or more chars>]. The type is
  // greedy, so "beep_enable" is a type of its own with no number.
  std::size_t digits_at = name.find_first_of("0123456789");
  HwmonSensorFile file;
  if (digits_at == std::string_view::npos) {
    if (name.empty()) return std::nullopt;
    file.type = std::string(name);
    return file;
  }
  if (digits_at == 0) return std::nullopt;
  file.type = std::string(name.substr(0, digits_at));
  std::size_t digits_end = name.find_first_not_of("0123456789", digits_at);
  std::string_view digits = name.substr(digits_at, digits_end == std::string_view::npos ? name.npos : digits_end - digits_at);
  // Go's Atoi fails on overflow and leaves 0; keep the same number.
  auto number = text::ParseInt64(digits);
  file.number = number ? *number : 0;
  if (digits_end == std::string_view::npos) return file;
  std::string_view rest = name.substr(digits_end);
  if (rest.size() < 2 || rest[0] != '_') return std::nullopt;
  file.property = std::string(rest.substr(1));
  return file;
}

bool IsHwmonSensorType(std::string_view type) {
  static constexpr std::string_view kTypes[] = {"vrm",  "beep_enable", "update_interval", "in",
                                                "cpu",  "fan",         "pwm",             "temp",
                                                "curr", "power",       "energy",          "humidity",
                                                "intrusion"};
  for (std::string_view known : kTypes) {
    if (known == type) return true;
  }
  return false;
}

std::string CleanHwmonName(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_') {
      out += static_cast<char>(c);
      continue;
    }
    out += '_';  // one '_' per rune: skip a multi-byte sequence's continuation bytes
    if (c >= 0xC0) {
      while (i + 1 < raw.size() && (static_cast<unsigned char>(raw[i + 1]) & 0xC0) == 0x80) ++i;
    }
  }
  std::size_t first = out.find_first_not_of('_');
  if (first == std::string::npos) return "";
  std::size_t last = out.find_last_not_of('_');
  return out.substr(first, last - first + 1);
}

std::string HwmonChipFromDevicePath(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view device = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  std::size_t parent_slash = prefix.rfind('/');
  std::string_view parent = parent_slash == std::string_view::npos ? prefix : prefix.substr(parent_slash + 1);
  std::string clean_device = CleanHwmonName(device);
  std::string clean_parent = CleanHwmonName(parent);
  if (!clean_parent.empty() && !clean_device.empty()) return clean_parent + "_" + clean_device;
  return clean_device;
}

std::vector<HwmonSeries> BuildHwmonSeries(const std::string& chip, const HwmonSensorData& data) {
  std::vector<HwmonSeries> out;
  for (const auto& entry : data) {
    const std::string& sensor = entry.first;
    const auto& elements = entry.second;
    auto sensor_file = ParseHwmonFileName(sensor);
    if (!sensor_file) continue;
    const std::string& type = sensor_file->type;
    auto emit = [&](std::string name, std::string help, double value, bool counter = false) {
      out.push_back({std::move(name), std::move(help), counter, {{"chip", chip}, {"sensor", sensor}}, value});
    };
    auto bare = elements.find("");
    if (auto label = elements.find("label"); label != elements.end()) {
      out.push_back({"node_hwmon_sensor_label", "Label for given chip and sensor", false,
                     {{"chip", chip}, {"label", ToValidUtf8(label->second)}, {"sensor", sensor}}, 1});
    }
    if (type == "beep_enable") {
      emit("node_hwmon_beep_enabled", "Hardware beep enabled",
           bare != elements.end() && bare->second == "1" ? 1.0 : 0.0);
      continue;
    }
    if (type == "vrm" || type == "update_interval") {
      auto value = text::ParseDouble(bare == elements.end() ? std::string_view() : std::string_view(bare->second));
      if (!value) continue;
      if (type == "vrm") {
        emit("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", *value);
      } else {
        emit("node_hwmon_update_interval_seconds", "Hardware monitor update interval", *value * 0.001);
      }
      continue;
    }
    const std::string prefix = "node_hwmon_" + type;
    for (const auto& [element, raw] : elements) {
      if (element == "label") continue;
      std::string name = prefix;
      if (element == "input") {
        if (bare != elements.end()) name += "_input";  // a bare file already holds the value
      } else if (!element.empty()) {
        name += "_" + CleanHwmonName(element);
      }
      auto parsed = text::ParseDouble(raw);
      if (!parsed) continue;
      double value = *parsed;
      const std::string shown = element.empty() ? "input" : element;
      if (element == "fault" || element == "alarm") {
        emit(name, "Hardware sensor " + element + " status (" + type + ")", value);
      } else if (element == "beep") {
        emit(name + "_enabled", "Hardware monitor sensor has beeping enabled", value);
      } else if (type == "in" || type == "cpu") {
        emit(name + "_volts", "Hardware monitor for voltage (" + shown + ")", value * 0.001);
      } else if (type == "temp" && element != "type") {
        emit(name + "_celsius", "Hardware monitor for temperature (" + shown + ")", value * 0.001);
      } else if (type == "curr") {
        emit(name + "_amps", "Hardware monitor for current (" + shown + ")", value * 0.001);
      } else if (type == "energy") {
        emit(name + "_joule_total", "Hardware monitor for joules used so far (" + shown + ")", value / 1000000.0,
             /*counter=*/true);
      } else if (type == "power" && element == "accuracy") {
        emit(name, "Hardware monitor power meter accuracy, as a ratio", value / 1000000.0);
      } else if (type == "power" &&
                 (element == "average_interval" || element == "average_interval_min" ||
                  element == "average_interval_max")) {
        emit(name + "_seconds", "Hardware monitor power usage update interval (" + element + ")", value * 0.001);
      } else if (type == "power") {
        emit(name + "_watt", "Hardware monitor for power usage in watts (" + shown + ")", value / 1000000.0);
      } else if (type == "humidity") {
        emit(name,
             "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (" +
                 shown + ")",
             value / 1000000.0);
      } else if (type == "fan" && (element == "input" || element == "min" || element == "max" || element == "target")) {
        emit(name + "_rpm", "Hardware monitor for fan revolutions per minute (" + element + ")", value);
      } else {
        emit(name, "Hardware monitor " + type + " element " + element, value);
      }
    }
  }
  return out;
}

}  // namespace buildfarm::exporter
