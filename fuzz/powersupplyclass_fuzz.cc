#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/powersupplyclass.h"

// Input: "file=value" lines, each an attribute file of one power supply.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  buildfarm::exporter::PowerSupply supply;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    std::size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      (void)buildfarm::exporter::ParsePowerSupplyAttribute(line.substr(0, equals), line.substr(equals + 1), supply)
          .ok();
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return 0;
}
