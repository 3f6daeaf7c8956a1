#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/infiniband.h"

// The state, rate and counter parsers over the same input.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::exporter::ParseInfiniBandState(text).ok();
  (void)buildfarm::exporter::ParseInfiniBandRate(text).ok();
  buildfarm::exporter::InfiniBandPort port;
  (void)buildfarm::exporter::ParseInfiniBandCounter("counters", "port_rcv_data", text, port).ok();
  return 0;
}
