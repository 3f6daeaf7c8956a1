#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/bonding.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t total = 0;
  for (std::string_view name : buildfarm::exporter::ParseBondingNames(text)) {
    if (name.empty() || name.data() < text.data() || name.data() + name.size() > text.data() + text.size()) {
      __builtin_trap();  // every name is a non-empty piece of the input
    }
    total += name.size();
  }
  if (total > size) __builtin_trap();
  return 0;
}
