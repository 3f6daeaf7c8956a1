// Feeds the hwmon naming rules: the input is split on '\n' into (file name, content) pairs that make
// up one chip's sensor data, and each piece also goes through the name cleaners.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "exporter/collectors/hwmon.h"
#include "exporter/procfs/sysfs_attribute.h"

using namespace buildfarm::exporter;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  HwmonSensorData sensors;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view name = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    newline = text.find('\n');
    std::string_view content = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    (void)CleanHwmonName(name);
    (void)HwmonChipFromDevicePath(name);
    (void)ToValidUtf8(content);
    if (auto file = ParseHwmonFileName(name); file && IsHwmonSensorType(file->type)) {
      sensors[file->type + std::to_string(file->number)][file->property] = std::string(content);
    }
  }
  (void)BuildHwmonSeries("chip", sensors);
  return 0;
}
