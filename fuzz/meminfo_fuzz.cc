#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/meminfo.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto entries = buildfarm::exporter::ParseMeminfo(std::string_view(reinterpret_cast<const char*>(data), size));
  if (entries.ok()) {
    for (const auto& entry : *entries) (void)buildfarm::exporter::MeminfoMetricName(entry);
    (void)buildfarm::exporter::FindMeminfo(*entries, "MemAvailable");
  }
  return 0;
}
