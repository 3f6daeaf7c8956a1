#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/ipvs.h"

// The same input as ip_vs_stats, as ip_vs and as a --collector.ipvs.backend-labels value.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::exporter::ParseIpvsStats(text).ok();
  (void)buildfarm::exporter::ParseIpvsBackends(text).ok();
  (void)buildfarm::exporter::ParseIpvsBackendLabels(text).ok();
  return 0;
}
