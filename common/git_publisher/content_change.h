// Change detection: does a new version of a published file differ in more than its timestamps?
//
// A status document is rewritten every minute with a fresh "timestamp" even when nothing else moved;
// committing those would bring back the seed's thousands of heartbeat commits. So, for JSON documents,
// the values of the keys kTimestampKeys (at any depth) are ignored when comparing. Heartbeat files
// (configured per path) are the exception: for them any byte change counts, since their timestamp is
// the news. Text that is not JSON is compared byte for byte. Stateless and thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace buildfarm::git_publisher {

// JSON object keys whose values are timestamps, at any depth.
inline constexpr std::array<std::string_view, 5> kTimestampKeys = {"timestamp", "last_updated", "generated_at",
                                                                   "updated_at", "last_seen"};

// True when `next` should be committed over `previous`.
bool ContentChanged(std::string_view previous, std::string_view next, bool heartbeat_file);

}  // namespace buildfarm::git_publisher
