#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/zfs.h"

// The same input as a kstat file and as a pool's io file.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::exporter::ParseKstats(text).ok();
  (void)buildfarm::exporter::ParseZpoolIo(text).ok();
  return 0;
}
