#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/tapestats.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  buildfarm::exporter::TapeCounters counters;
  (void)buildfarm::exporter::ParseTapeStat("io_ns", text, counters).ok();
  (void)buildfarm::exporter::IsTapeDeviceName(text);
  return 0;
}
