#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/collectors/textfile_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The parser, then the merger: a file alone is always accepted, and a second copy of it must be
  // refused whenever it has a series.
  auto first = buildfarm::exporter::ParseTextfile(text, "/fuzz/a.prom");
  if (!first.ok()) return 0;
  auto second = buildfarm::exporter::ParseTextfile(text, "/fuzz/a.prom");
  buildfarm::exporter::TextfileMerger merger;
  bool has_series = !first->empty();
  if (!merger.Add("/fuzz/a.prom", std::move(first).value()).ok()) __builtin_trap();  // one file never conflicts
  bool second_added = merger.Add("/fuzz/b.prom", std::move(second).value()).ok();
  if (has_series && second_added) __builtin_trap();  // every series is repeated
  buildfarm::exporter::Families out;
  std::move(merger).AppendTo(out);
  return 0;
}
