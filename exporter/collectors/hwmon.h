// hwmon collector: node_hwmon_* from /sys/class/hwmon, named and scaled as node_exporter 1.5 does
// (temp -> _celsius, in/cpu -> _volts, fan -> _rpm, power -> _watt, curr -> _amps, energy ->
// _joule_total, ...), plus node_hwmon_chip_names and node_hwmon_sensor_label.
//
// The naming and unit rules are pure functions (BuildHwmonSeries and friends, hwmon.cc); the
// collector (hwmon_collector.cc) lists directories, resolves links and reads files. It caches the
// chip layout with open descriptors (rescanned every minute, or after a chip disappears) under a
// mutex; Collect() is thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// "temp1_crit_alarm" -> {type "temp", number 1, property "crit_alarm"}; nullopt when the name does
// not have the <type><number>[_<property>] shape.
struct HwmonSensorFile {
  std::string type;
  long long number = 0;
  std::string property;
};
std::optional<HwmonSensorFile> ParseHwmonFileName(std::string_view file_name);

// True for the sensor kinds node_exporter reads (temp, in, fan, pwm, power, ...).
bool IsHwmonSensorType(std::string_view type);

// node_exporter's cleanMetricName: lower-case, every rune outside [a-z0-9:_] becomes '_', and
// leading and trailing '_' are dropped.
std::string CleanHwmonName(std::string_view raw);

// The chip label from the resolved `device` link: "<parent dir>_<device dir>", cleaned
// ("/sys/devices/platform/coretemp.0" -> "platform_coretemp_0"); empty when nothing usable is left.
std::string HwmonChipFromDevicePath(std::string_view resolved_device_path);

// sensor ("temp1") -> element ("input", "max", "" for a bare file like pwm1) -> file content.
using HwmonSensorData = std::map<std::string, std::map<std::string, std::string>>;

struct HwmonSeries {
  std::string name;
  std::string help;
  bool counter = false;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// Every series node_exporter derives from one chip's sensor files. Values that are not numbers are
// skipped, as node_exporter skips them.
std::vector<HwmonSeries> BuildHwmonSeries(const std::string& chip, const HwmonSensorData& data);

CollectorSpec MakeHwmonSpec();

}  // namespace buildfarm::exporter
