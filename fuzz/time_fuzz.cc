#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/time.h"

// The input is available_clocksource, then a NUL, then current_clocksource (all of it is
// available_clocksource when there is no NUL).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t split = text.find('\0');
  std::string_view available = text.substr(0, split);
  std::string_view current = split == std::string_view::npos ? std::string_view() : text.substr(split + 1);
  auto source = buildfarm::exporter::ParseClocksource(available, current);
  (void)source.ok();
  return 0;
}
