// SHA-256 and random hex strings (OpenSSL) for the token and audit stores and the server's auth.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace buildfarm::scheduler {

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// `bytes` bytes from OpenSSL's CSPRNG as lowercase hex (2 * bytes digits); Internal when it has no entropy.
Result<std::string> RandomHex(std::size_t bytes);

}  // namespace buildfarm::scheduler
