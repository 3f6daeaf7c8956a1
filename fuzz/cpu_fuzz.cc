#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/cpu.h"

// Feeds the input to both cpu parsers: /proc/stat and the sysfs CPU list; then exercises the
// counter helpers on whatever parsed.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto stat = buildfarm::exporter::ParseProcStat(text);
  if (stat.ok() && !stat->cpus.empty()) {
    buildfarm::exporter::CpuTicks kept = stat->cpus.front();
    buildfarm::exporter::MonotonicCpuTicks(kept, stat->cpus.back());
    double busy = buildfarm::exporter::CpuBusyPercent(stat->cpus.front(), stat->total);
    if (!(busy >= 0 && busy <= 100)) __builtin_trap();
  }
  auto cpus = buildfarm::exporter::ParseCpuList(text);
  (void)cpus.ok();
  return 0;
}
