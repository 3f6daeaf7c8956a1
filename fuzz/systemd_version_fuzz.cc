#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/systemd.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto version = buildfarm::exporter::ParseSystemdVersion(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)version.number;
  return 0;
}
