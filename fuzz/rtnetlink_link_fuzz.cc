#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs/rtnetlink_link.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result = buildfarm::exporter::ParseLinkDump(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)result.ok();
  return 0;
}
