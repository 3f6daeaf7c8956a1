#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "exporter/collectors/dmi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return 0;
  // Input: a file name, a newline, the file's contents.
  auto labels =
      buildfarm::exporter::DmiLabels({{std::string(text.substr(0, newline)), std::string(text.substr(newline + 1))}});
  (void)labels.size();
  return 0;
}
