#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/bcache.h"

// The same input as one sysfs value, as writeback_rate_debug and as priority_stats.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::exporter::ParseBcacheValue(text).ok();
  (void)buildfarm::exporter::ParseBcacheSignedValue(text).ok();
  (void)buildfarm::exporter::ParseBcacheWritebackRateDebug(text).ok();
  (void)buildfarm::exporter::ParseBcachePriorityStats(text).ok();
  return 0;
}
