#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs/mountinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = buildfarm::exporter::ParseMountinfo(text);
  (void)result.ok();
  (void)buildfarm::exporter::DecodeMountEscapes(text);
  return 0;
}
