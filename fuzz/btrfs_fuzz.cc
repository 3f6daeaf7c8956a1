#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/btrfs.h"

// Input: one attribute value; its first byte doubles as a device count for the profile ratio.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::exporter::ParseBtrfsValue(text);
  std::size_t devices = size == 0 ? 0 : data[0];
  (void)buildfarm::exporter::BtrfsAllocationRatio(text, devices);
  return 0;
}
