#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/xfs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::exporter::ParseXfsStats(text).ok();
  return 0;
}
