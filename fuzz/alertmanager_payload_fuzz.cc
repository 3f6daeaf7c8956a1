// Webhook bodies are untrusted: ParseAlertmanagerPayload must refuse anything malformed with a Status
// naming a field, never crash; whatever it accepts has a fingerprint and a startsAt that parses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scheduler/alerts/alert_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = buildfarm::scheduler::ParseAlertmanagerPayload(body);
  if (!parsed.ok()) {
    if (parsed.status().message().find(": ") == std::string::npos) std::abort();  // names no field
    return 0;
  }
  for (const auto& alert : parsed->alerts) {
    if (alert.fingerprint.empty() || !buildfarm::scheduler::ParseRfc3339(alert.starts_at)) std::abort();
  }
  buildfarm::scheduler::ParseRfc3339(body);
  return 0;
}
