#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs/proc_stat_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto stat = buildfarm::exporter::ParseProcStat(std::string_view(reinterpret_cast<const char*>(data), size));
  if (stat.ok() && stat->cpus.size() > buildfarm::exporter::kMaxCpuId + 1) __builtin_trap();
  return 0;
}
