// Send bodies are untrusted: MessageDraftFromJson (schema check, then meaning) must refuse anything
// malformed with a Status and never crash, and whatever it accepts must become a stored-message
// document that validates against schemas/message.schema.json. ParseTimestamp gets the raw bytes too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_schema/json_schema.h"
#include "scheduler/store/message_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace buildfarm::scheduler;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseTimestamp(text);
  auto body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  constexpr double kNow = 1'800'000'000;
  auto draft = MessageDraftFromJson(body, kNow);
  if (!draft.ok()) return 0;
  Message message{"msg_1800000000000_abcdef", *draft, kNow, {{"build1", kNow + 1}}, std::nullopt};
  auto violations = buildfarm::json_schema::Validate("message", MessageToJson(message));
  if (!violations.ok() || !violations->empty()) std::abort();
  return 0;
}
