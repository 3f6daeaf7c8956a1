// Every JSON route body of the scheduler is untrusted. The first byte picks the route, the rest is the
// body, which goes through the same ParseBoundedJson every route uses and then that route's parser:
// job submission (one job or a graph), message send, Alertmanager webhook, and the flat bodies
// (register, heartbeat, result, assign, read, archive) whose handlers only look fields up. Nothing
// may crash or overflow the stack however deep the input nests; whatever is accepted is at most
// JsonLimits::max_depth deep, and copies and dumps (which recurse per level) stay safe.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/bounded_json.h"
#include "scheduler/alerts/alert_payload.h"
#include "scheduler/store/job_json.h"
#include "scheduler/store/message_json.h"

namespace {

using buildfarm::scheduler::CheckJobSpec;
using buildfarm::scheduler::JobSpecFromJson;
using buildfarm::scheduler::JobSpecToJson;

int Depth(const nlohmann::json& value, int limit) {
  if (limit < 0 || !value.is_structured()) return 0;
  int deepest = 0;
  for (const auto& child : value) deepest = std::max(deepest, Depth(child, limit - 1));
  return deepest + 1;
}

void Job(const nlohmann::json& body) {
  auto spec = JobSpecFromJson(body);
  if (!spec.ok() || !CheckJobSpec(*spec).ok()) return;
  // What was accepted survives the round trip the store makes.
  if (!JobSpecFromJson(JobSpecToJson(*spec)).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t route = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto body = buildfarm::ParseBoundedJson(text);
  if (!body.ok()) return 0;
  const int max_depth = buildfarm::JsonLimits{}.max_depth;
  if (Depth(*body, max_depth + 1) > max_depth) std::abort();
  const nlohmann::json copy = *body;  // the recursive copy that overflowed the stack before the limit
  (void)copy.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  switch (route % 4) {
    case 0:
      Job(*body);
      break;
    case 1:
      if (body->is_object() && body->contains("jobs") && (*body)["jobs"].is_array()) {
        for (const auto& member : (*body)["jobs"]) Job(member);
      }
      break;
    case 2:
      if (body->is_object()) (void)buildfarm::scheduler::MessageDraftFromJson(*body, 1'800'000'000);
      break;
    default:
      (void)buildfarm::scheduler::ParseAlertmanagerPayload(text);
      break;
  }
  return 0;
}
