#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/diskstats.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto lines = buildfarm::exporter::ParseDiskstats(text);
  if (lines.ok()) {
    for (const auto& line : *lines) {
      if (line.value_count < 11 || line.value_count > buildfarm::exporter::kDiskStatValues) __builtin_trap();
    }
  }
  auto props = buildfarm::exporter::ParseUdevData(text);
  (void)props.Get("ID_MODEL");
  return 0;
}
