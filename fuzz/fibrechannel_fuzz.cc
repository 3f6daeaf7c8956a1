#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/fibrechannel.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  buildfarm::exporter::FibreChannelHost host;
  (void)buildfarm::exporter::ParseFibreChannelAttribute("port_name", text, host).ok();
  (void)buildfarm::exporter::ParseFibreChannelAttribute("statistics/rx_frames", text, host).ok();
  return 0;
}
