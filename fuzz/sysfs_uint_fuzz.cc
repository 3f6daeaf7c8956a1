#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs/sysfs_attribute.h"

// The parse of every single-number sysfs file read like node_exporter's readUintFromFile (cpufreq, edac, rapl).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result = buildfarm::exporter::ParseSysfsUint64(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)result.ok();
  return 0;
}
