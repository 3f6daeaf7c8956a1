#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/topology_isolated.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result = buildfarm::exporter::DecodeTopology(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)result.ok();
  return 0;
}
