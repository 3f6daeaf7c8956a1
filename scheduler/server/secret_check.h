// SecretCheck: the seam through which the message and job APIs refuse text that holds a likely secret
// (passwords, tokens, private keys) before it is stored, and so before it can ever be published.
//
// The detector itself belongs to the git publisher library (issue 5, secret guard); the scheduler
// wires it in by setting ApiContext::secret_check. A check returns OK for clean text, or a non-OK
// Status whose message names the kind of secret ("looks like a GitHub token") and never the secret
// itself. An empty SecretCheck refuses nothing. Must be thread-safe: handlers call it concurrently.
#pragma once

#include <functional>
#include <string_view>

#include "common/status.h"

namespace buildfarm::scheduler {

using SecretCheck = std::function<Status(std::string_view text)>;

}  // namespace buildfarm::scheduler
