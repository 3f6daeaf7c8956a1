// ReadSecretFile: reads a token or password from a file that only its owner may read.
//
// A token in a file that group or others can read is a token every job and user on the host can take, so
// such a file is refused, with an error that names it and says how to fix it (systemd's LoadCredential=
// gives a service a file only it can read). The contents are trimmed of surrounding whitespace; an empty
// file is an error. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace buildfarm {

// `what` names the setting in errors, e.g. "--scheduler.token-file" or "publish.token_file".
Result<std::string> ReadSecretFile(const std::string& path, std::string_view what);

}  // namespace buildfarm
