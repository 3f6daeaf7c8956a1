#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/selinux.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::exporter::SelinuxConfigMode(text);
  (void)buildfarm::exporter::SelinuxEnforceMode(text);
  return 0;
}
