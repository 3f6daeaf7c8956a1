// The exporter's side of the publishing child's socket: any byte stream, cut anywhere, must give
// frames or a ParseError, and any payload a verdict from the metrics text check; never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "exporter/publish_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using buildfarm::exporter::TakeFrame;
  std::string stream(reinterpret_cast<const char*>(data), size);
  // The first byte picks where the stream is split into two reads, as a socket may deliver it.
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  std::string buffer = stream.substr(0, split);
  bool second_read = false;
  while (true) {
    auto frame = TakeFrame(buffer);
    if (!frame.ok()) break;
    if (frame->has_value()) {
      (void)buildfarm::exporter::CheckPublishMetricsText((*frame)->payload).ok();
      continue;
    }
    if (second_read) break;
    buffer += stream.substr(split);
    second_read = true;
  }
  (void)buildfarm::exporter::CheckPublishMetricsText(stream).ok();
  return 0;
}
