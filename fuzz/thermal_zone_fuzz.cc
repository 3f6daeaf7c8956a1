// Splits the input on '\n' into the attribute files a thermal zone and a cooling device have.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/thermal_zone.h"

using namespace buildfarm::exporter;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view parts[5];
  for (auto& part : parts) {
    std::size_t newline = text.find('\n');
    part = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  }
  (void)ParseSysfsInt64(parts[1]).ok();
  (void)ParseThermalZone(parts[0], parts[1], parts[2].empty() ? nullptr : &parts[2]).ok();
  (void)ParseCoolingDevice(parts[0], parts[3], parts[4]).ok();
  return 0;
}
