#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/git_publisher/content_change.h"
#include "common/git_publisher/secret_guard.h"
#include "common/git_publisher/secret_redaction.h"

// The secret guard reads every document before it is published, and change detection parses it as
// JSON: both see text that users wrote. The input is one document; its two halves are also compared
// as two versions of a file. As a job's command it is redacted the way coordination/jobs.json is: an
// entry that is kept must then pass the guard inside the list, or the publisher would refuse the file.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto finding = buildfarm::git_publisher::FindLikelySecret(text);
  if (finding && finding->offset >= text.size()) __builtin_trap();
  std::string_view first = text.substr(0, size / 2);
  std::string_view second = text.substr(size / 2);
  (void)buildfarm::git_publisher::ContentChanged(first, second, false);
  if (buildfarm::git_publisher::ContentChanged(text, text, false)) __builtin_trap();

  nlohmann::json entry{{"id", "j1"}, {"command", std::string(text)}, {"status", "queued"}};
  try {
    (void)entry.dump();
  } catch (const nlohmann::json::type_error&) {
    return 0;  // not UTF-8: stored strings always are (they were parsed from JSON)
  }
  const auto redactions = buildfarm::git_publisher::RedactLikelySecrets(entry);
  const bool dropped = !redactions.empty() && redactions.back().field.empty();
  if (!dropped && buildfarm::git_publisher::FindLikelySecret(nlohmann::json::array({entry}).dump(2))) {
    __builtin_trap();
  }
  return 0;
}
