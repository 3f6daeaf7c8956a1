// Reading and parsing sysfs attributes the way node_exporter 1.5's procfs library does.
//
// Several sysfs collectors (netclass, powersupplyclass, nvme, ...) must reproduce its quirks to
// serve the same values: one read(2) of at most 128 bytes, whitespace-trimmed, and integers parsed
// with Go's strconv.ParseInt base 0 (so "0x1003" is hex, "010" octal, "1_000" decimal). Stateless
// and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace buildfarm::exporter {

// node_exporter reads only this many bytes of an attribute; longer values are cut.
inline constexpr std::size_t kSysfsAttributeReadBytes = 128;

struct SysfsAttribute {
  int error = 0;      // errno of the failed open or read; 0 when `value` was read
  std::string value;  // trimmed
};

SysfsAttribute ReadSysfsAttribute(const std::string& path);

// The whole file, trimmed, as procfs's ReadFileNoStat/ReadUintFromFile read it; EFBIG past max_bytes.
SysfsAttribute ReadWholeSysfsFile(const std::string& path, std::size_t max_bytes = 64 * 1024);

// Errors procfs treats as "the attribute is not there": missing, not permitted, and the EINVAL and
// EOPNOTSUPP that drivers return for attributes that do not apply (carrier of a downed link).
bool IsAbsentAttributeError(int error);

// The regular files of `dir` that `wanted` accepts, read with ReadSysfsAttribute, as procfs reads a
// device directory (ReadDir, then only regular files: symlinks and subdirectories are skipped).
// A file whose read fails with an IsAbsentAttributeError is left out; any other failure is an
// error naming it. A missing `dir` (a device gone since it was listed) is kNotFound.
using SysfsAttributes = std::vector<std::pair<std::string, std::string>>;  // file name, trimmed value
Result<SysfsAttributes> ReadRegularAttributes(const std::string& dir,
                                              const std::function<bool(std::string_view)>& wanted);

// Go's strconv.ParseInt(text, 0, 64): optional sign, 0x/0o/0b/leading-0 prefixes, underscores
// between digits as Go literals allow them. nullopt on syntax or range errors.
std::optional<std::int64_t> ParseGoInt64(std::string_view text);

// Go's strconv.ParseUint(text, 0, 64), which procfs's ValueParser.PUInt64 applies to sysfs counters
// ("0x1f" is hex): no sign, same prefixes and underscore rules. nullopt on syntax or range errors.
std::optional<std::uint64_t> ParseGoUint64(std::string_view text);
// Go's strconv.ParseUint(text, base, bits) for base 10 or 16: digits of the base only (no sign, prefix
// or underscore), nullopt past 2^bits - 1.
std::optional<std::uint64_t> ParseGoUint(std::string_view text, int base = 10, int bits = 64);

// node_exporter's readUintFromFile parse (Go's ParseUint base 10 of the trimmed text): decimal digits
// only, no sign, no hex, no overflow.
Result<std::uint64_t> ParseSysfsUint64(std::string_view text);

// Invalid UTF-8 runs become U+FFFD, as Go's strings.ToValidUTF8 does (label values must be UTF-8;
// node_exporter repairs hwmon, dmi and power_supply strings this way).
std::string ToValidUtf8(std::string_view text);

// Go's underscoreOK for number literals: underscores only between digits or after a base prefix.
bool GoUnderscoresOk(std::string_view number);

}  // namespace buildfarm::exporter
