// Submitted job bodies are untrusted: JobSpecFromJson must refuse anything malformed with a Status,
// never crash, and whatever it accepts must survive the store's round trip through JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scheduler/store/job_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr,
                                    /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  auto spec = buildfarm::scheduler::JobSpecFromJson(body);
  if (!spec.ok()) return 0;
  auto again = buildfarm::scheduler::JobSpecFromJson(buildfarm::scheduler::JobSpecToJson(*spec));
  if (!again.ok()) std::abort();
  return 0;
}
