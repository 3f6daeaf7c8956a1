// Accept-Encoding and If-None-Match as a client may send them: any bytes, never a crash, and a header
// naming exactly the served tag always matches it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scheduler/server/web_negotiation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view tag_text = newline == std::string_view::npos ? "" : input.substr(newline + 1);
  (void)buildfarm::scheduler::AcceptsGzip(header);
  (void)buildfarm::scheduler::EtagMatches(header, "\"0123abcd\"");
  if (tag_text.find('"') == std::string_view::npos) {
    const std::string tag = "\"" + std::string(tag_text) + "\"";
    if (!buildfarm::scheduler::EtagMatches(tag, tag)) std::abort();
    if (!buildfarm::scheduler::EtagMatches("\"other\", W/" + tag, tag)) std::abort();
  }
  return 0;
}
