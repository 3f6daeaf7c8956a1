// The web-config.yml parser (common/web_config.h) on arbitrary text, and the Authorization header decoding
// of basic auth against a fixed cheap bcrypt hash (a parsed file's own hashes could ask for any cost).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)buildfarm::ParseWebConfig(text, "fuzz.yml");
  buildfarm::WebConfig config;
  config.basic_auth_users = {{"alice", "$2b$04$g/4M1ytLFQaYmLrKbQBhBex7.zmaW6ZCAYhVSoBsWPGODd28agjGi"}};
  (void)buildfarm::CheckBasicAuth(config, text);
  return 0;
}
