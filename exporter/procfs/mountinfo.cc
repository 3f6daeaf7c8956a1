#include "exporter/procfs/mountinfo.h"

#include "common/text.h"

namespace buildfarm::exporter {
namespace {

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// Fields of a mountinfo line are separated by exactly one space; an empty mount source shows up as
// an empty field, which splitting on runs of blanks would silently drop.
std::vector<std::string_view> SplitOnSpace(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    std::size_t space = line.find(' ', start);
    if (space == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, space - start));
    start = space + 1;
  }
}

bool IsMajorMinor(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return text::ParseUint64(s.substr(0, colon)).has_value() && text::ParseUint64(s.substr(colon + 1)).has_value();
}

bool HasOption(std::string_view options, std::string_view wanted) {
  while (!options.empty()) {
    std::size_t comma = options.find(',');
    if (options.substr(0, comma) == wanted) return true;
    if (comma == std::string_view::npos) break;
    options.remove_prefix(comma + 1);
  }
  return false;
}

Status LineError(std::size_t line_number, const std::string& what) {
  return ParseError("mountinfo line " + std::to_string(line_number) + ": " + what);
}

}  // namespace

std::string DecodeMountEscapes(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) &&
        IsOctal(field[i + 3])) {
      int value = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
      if (value <= 0xff) {
        out.push_back(static_cast<char>(value));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

Result<std::vector<MountEntry>> ParseMountinfo(std::string_view text) {
  std::vector<MountEntry> mounts;
  std::size_t line_number = 0;
  for (std::string_view line : text::Lines(text)) {
    ++line_number;
    if (line.empty()) return LineError(line_number, "empty line");
    auto fields = SplitOnSpace(line);
    // id parent major:minor root mount_point options [optional...] - fstype source super_options
    if (fields.size() < 10) {
      return LineError(line_number, "want at least 10 fields, got " + std::to_string(fields.size()));
    }
    if (!text::ParseUint64(fields[0]) || !text::ParseUint64(fields[1])) {
      return LineError(line_number, "mount ids are not numbers");
    }
    if (!IsMajorMinor(fields[2])) return LineError(line_number, "want major:minor in field 3");
    std::size_t separator = 6;
    while (separator < fields.size() && fields[separator] != "-") ++separator;
    if (separator == fields.size()) return LineError(line_number, "no \" - \" separator");
    if (separator + 4 > fields.size()) {
      return LineError(line_number, "want type, source and options after \" - \"");
    }
    if (fields[4].empty() || fields[4].front() != '/') return LineError(line_number, "mount point is not absolute");
    if (fields[separator + 1].empty()) return LineError(line_number, "empty filesystem type");
    MountEntry entry;
    entry.device = std::string(fields[separator + 2]);
    entry.mount_point = DecodeMountEscapes(fields[4]);
    entry.fstype = std::string(fields[separator + 1]);
    entry.read_only = HasOption(fields[5], "ro") || HasOption(fields[separator + 3], "ro");
    mounts.push_back(std::move(entry));
  }
  if (mounts.empty()) return ParseError("mountinfo: no mounts listed");
  return mounts;
}

}  // namespace buildfarm::exporter
