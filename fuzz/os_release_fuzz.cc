#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/os_release.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto values = buildfarm::exporter::ParseOsRelease(text);
  if (values.ok()) {
    auto id = values->find("VERSION_ID");
    if (id != values->end()) (void)buildfarm::exporter::OsMajorMinorVersion(id->second);
  }
  (void)buildfarm::exporter::OsMajorMinorVersion(text);
  return 0;
}
