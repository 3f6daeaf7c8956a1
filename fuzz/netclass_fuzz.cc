#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/netclass.h"

// Input: "name=value" lines, each an attribute file of one interface.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  buildfarm::exporter::NetClassIface iface;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    std::size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      buildfarm::exporter::ParseNetClassAttribute(line.substr(0, equals), line.substr(equals + 1), iface);
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  if (iface.speed) (void)buildfarm::exporter::NetClassSpeedBytes(*iface.speed);
  return 0;
}
