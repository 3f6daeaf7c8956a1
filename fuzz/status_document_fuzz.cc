#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/status_document.h"

// Fuzzes the status document's local parsers: the cpu lines of /proc/stat and /proc/meminfo totals.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cpu = buildfarm::exporter::ParseStatCpu(text);
  if (cpu.ok()) {
    if (cpu->busy > cpu->total) __builtin_trap();
    double percent = buildfarm::exporter::CpuUsagePercent(std::nullopt, *cpu);
    if (!(percent >= 0 && percent <= 100)) __builtin_trap();
  }
  auto memory = buildfarm::exporter::ParseMemoryTotals(text);
  if (memory.ok() && memory->available_bytes > memory->total_bytes) __builtin_trap();
  return 0;
}
