#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scheduler/metrics_source/prometheus_response.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result = buildfarm::scheduler::ParseInstantVector(std::string_view(reinterpret_cast<const char*>(data), size));
  if (result.ok()) {
    for (const auto& sample : *result) {
      if (!std::isfinite(sample.timestamp_seconds)) __builtin_trap();  // the parser promises finite stamps
    }
  }
  return 0;
}
