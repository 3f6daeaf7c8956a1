// Reading small kernel and config files with a size cap.
//
// /proc and /sys files report size 0 and must be read to EOF; a file that is unexpectedly huge is
// cut off with an error instead of exhausting memory. Functions here are stateless and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"

namespace buildfarm {

inline constexpr std::size_t kDefaultMaxFileBytes = 8u << 20;  // larger than any sane /proc file

// The whole file, or an error naming the path: not found, unreadable, or longer than max_bytes.
Result<std::string> ReadFileCapped(const std::string& path, std::size_t max_bytes = kDefaultMaxFileBytes);

// Names in a directory, without "." and "..", sorted. An error names the path.
Result<std::vector<std::string>> ListDirectory(const std::string& path);

// The target of a symlink, unresolved; an error when `path` is not a link.
Result<std::string> ReadLink(const std::string& path);

// Joins two path pieces with exactly one '/' between them.
std::string JoinPath(std::string_view base, std::string_view rest);

}  // namespace buildfarm
