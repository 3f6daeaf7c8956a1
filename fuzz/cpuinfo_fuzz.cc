#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/topology.h"

// Fuzzes the topology collector's fallback parsers: /proc/cpuinfo and the MemTotal line of /proc/meminfo.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cpuinfo = buildfarm::exporter::ParseCpuinfo(text);
  if (cpuinfo.ok() && (cpuinfo->processing_units == 0 || cpuinfo->cores == 0 || cpuinfo->packages == 0)) __builtin_trap();
  auto memtotal = buildfarm::exporter::ParseMemTotalBytes(text);
  (void)memtotal.ok();
  return 0;
}
