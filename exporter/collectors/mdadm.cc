#include "exporter/collectors/mdadm.h"

#include <cmath>
#include <cstdlib>
#include <memory>
#include <set>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::size_t Count(std::string_view haystack, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string Quote(std::string_view line) { return "\"" + std::string(line.substr(0, 200)) + "\""; }

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow.
Result<std::int64_t> ParseDecimal(std::string_view digits, std::string_view line) {
  bool double_sign = digits.size() >= 2 && digits[0] == '+' && (digits[1] == '-' || digits[1] == '+');
  auto value = double_sign ? std::nullopt : text::ParseInt64(digits);
  if (!value) {
    return ParseError("\"" + std::string(digits.substr(0, 40)) + "\" is not a 64-bit integer in " + Quote(line));
  }
  return *value;
}

// Whether Go's strconv.ParseFloat(s, 64) accepts s: decimal or 0x-hex (with a p exponent) floats,
// Go's underscore rules, inf/infinity/nan; out of range (1e400) is an error, underflow is not.
bool GoParseFloatAccepts(std::string_view s) {
  std::string_view unsigned_part = s;
  bool signed_number = !s.empty() && (s[0] == '+' || s[0] == '-');
  if (signed_number) unsigned_part.remove_prefix(1);
  std::string lower;
  for (char c : unsigned_part) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (lower == "inf" || lower == "infinity") return true;
  if (lower == "nan") return !signed_number;
  if (lower.find('_') != std::string::npos) {
    if (!GoUnderscoresOk(lower)) return false;
    std::string stripped;
    for (char c : lower) {
      if (c != '_') stripped += c;
    }
    lower = stripped;
  }
  bool hex = lower.size() >= 2 && lower[0] == '0' && lower[1] == 'x';
  std::size_t i = hex ? 2 : 0;
  std::size_t digits = 0;
  bool dot = false;
  auto mantissa_digit = [&](char c) { return IsDigit(c) || (hex && c >= 'a' && c <= 'f'); };
  for (; i < lower.size(); ++i) {
    if (mantissa_digit(lower[i])) {
      ++digits;
    } else if (lower[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits == 0) return false;
  char exponent_char = hex ? 'p' : 'e';
  if (i < lower.size()) {
    if (lower[i] != exponent_char) return false;
    ++i;
    if (i < lower.size() && (lower[i] == '+' || lower[i] == '-')) ++i;
    std::size_t exponent_digits = 0;
    while (i < lower.size() && IsDigit(lower[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0 || i != lower.size()) return false;
  } else if (hex) {
    return false;  // a hex mantissa needs its p exponent
  }
  double value = std::strtod(lower.c_str(), nullptr);
  return !std::isinf(value);
}

// `(\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\]` with Go's leftmost, greedy semantics: the first
// "<digits> blocks " and, after it, the last "[n/m] [U_...]".
struct RaidStatus {
  std::string_view total, active, health;
};

bool MatchRaidStatus(std::string_view line, RaidStatus& out) {
  std::size_t blocks = std::string_view::npos;
  for (std::size_t at = line.find(" blocks "); at != std::string_view::npos; at = line.find(" blocks ", at + 1)) {
    if (at > 0 && IsDigit(line[at - 1])) {
      blocks = at;
      break;
    }
  }
  if (blocks == std::string_view::npos) return false;
  std::size_t from = blocks + 8;
  for (std::size_t t = line.size(); t-- > from;) {
    if (line[t] != '[') continue;
    std::size_t i = t + 1, total_start = i;
    while (i < line.size() && IsDigit(line[i])) ++i;
    if (i == total_start || i >= line.size() || line[i] != '/') continue;
    std::size_t active_start = ++i;
    while (i < line.size() && IsDigit(line[i])) ++i;
    if (i == active_start || line.substr(i, 3) != "] [") continue;
    std::size_t health_start = i + 3;
    i = health_start;
    while (i < line.size() && (line[i] == 'U' || line[i] == '_')) ++i;
    if (i == health_start || i >= line.size() || line[i] != ']') continue;
    out = {line.substr(total_start, active_start - 1 - total_start),
           line.substr(active_start, health_start - 3 - active_start), line.substr(health_start, i - health_start)};
    return true;
  }
  return false;
}

// `\((\d+)/\d+\)`, leftmost.
bool MatchSyncedBlocks(std::string_view line, std::string_view& synced) {
  for (std::size_t p = line.find('('); p != std::string_view::npos; p = line.find('(', p + 1)) {
    std::size_t i = p + 1;
    while (i < line.size() && IsDigit(line[i])) ++i;
    if (i == p + 1 || i >= line.size() || line[i] != '/') continue;
    std::size_t second = ++i;
    while (i < line.size() && IsDigit(line[i])) ++i;
    if (i == second || i >= line.size() || line[i] != ')') continue;
    synced = line.substr(p + 1, second - 1 - (p + 1));
    return true;
  }
  return false;
}

// `<prefix>(.+)<suffix>` greedy, where the suffix is a fixed string or (empty suffix) any capital letter.
bool MatchGreedy(std::string_view line, std::string_view prefix, std::string_view suffix, std::string_view& captured) {
  std::size_t start = line.find(prefix);
  if (start == std::string_view::npos) return false;
  std::size_t from = start + prefix.size();
  std::size_t end = std::string_view::npos;
  if (suffix.empty()) {
    for (std::size_t i = line.size(); i-- > from;) {
      if (line[i] >= 'A' && line[i] <= 'Z') {
        end = i;
        break;
      }
    }
  } else {
    end = line.rfind(suffix);
  }
  if (end == std::string_view::npos || end < from + 1) return false;
  captured = line.substr(from, end - from);
  return true;
}

Result<std::int64_t> ParseRecoveryLine(std::string_view line) {
  std::string_view synced;
  if (!MatchSyncedBlocks(line, synced)) return ParseError("no \"(synced/total)\" in sync line " + Quote(line));
  auto blocks = ParseDecimal(synced, line);
  if (!blocks.ok()) return blocks.status();
  struct Field {
    std::string_view what, prefix, suffix;
    bool trim;
  };
  for (const Field& field : {Field{"percentage", "= ", "%", true}, Field{"finish time", "finish=", "min", false},
                             Field{"speed", "speed=", "", false}}) {
    std::string_view captured;
    if (!MatchGreedy(line, field.prefix, field.suffix, captured)) {
      return ParseError("no " + std::string(field.what) + " in sync line " + Quote(line));
    }
    if (!GoParseFloatAccepts(field.trim ? text::Trim(captured) : captured)) {
      return ParseError(std::string(field.what) + " is not a number in sync line " + Quote(line));
    }
  }
  return *blocks;
}

Status EvalStatusLine(std::string_view device_line, std::string_view status_line, MdDevice& md) {
  auto fields = text::Fields(status_line);
  if (fields.empty()) return ParseError("empty status line after " + Quote(device_line));
  auto size = ParseDecimal(fields[0], status_line);
  if (!size.ok()) return size.status();
  md.blocks_total = *size;
  if (Contains(device_line, "raid0") || Contains(device_line, "linear")) {
    // Only member disks carry a "[n]" on the device line.
    md.disks_total = md.disks_active = static_cast<std::int64_t>(Count(device_line, "["));
    return Status::Ok();
  }
  if (Contains(device_line, "inactive")) return Status::Ok();
  RaidStatus raid;
  if (!MatchRaidStatus(status_line, raid)) return ParseError("no \"[n/m] [U_]\" in status line " + Quote(status_line));
  auto total = ParseDecimal(raid.total, status_line);
  if (!total.ok()) return total.status();
  auto active = ParseDecimal(raid.active, status_line);
  if (!active.ok()) return active.status();
  md.disks_total = *total;
  md.disks_active = *active;
  md.disks_down = static_cast<std::int64_t>(Count(raid.health, "_"));
  return Status::Ok();
}

}  // namespace

Result<std::vector<MdDevice>> ParseMdstat(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::vector<MdDevice> devices;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (text::Trim(line).empty() || line[0] == ' ' || line.substr(0, 13) == "Personalities" ||
        line.substr(0, 6) == "unused") {
      continue;
    }
    auto fields = text::Fields(line);
    if (fields.size() < 3) return ParseError("device line has fewer than 3 fields: " + Quote(line));
    MdDevice md;
    md.name = std::string(fields[0]);
    md.activity_state = std::string(fields[2]);
    if (lines.size() <= i + 3) return ParseError(md.name + ": too few lines for an md device");
    md.disks_failed = static_cast<std::int64_t>(Count(line, "(F)"));
    md.disks_spare = static_cast<std::int64_t>(Count(line, "(S)"));
    Status status = EvalStatusLine(line, lines[i + 1], md);
    if (!status.ok()) return status.WithContext(md.name);
    std::string_view sync_line = Contains(lines[i + 2], "bitmap") ? lines[i + 3] : lines[i + 2];
    md.blocks_synced = md.blocks_total;
    bool recovering = Contains(sync_line, "recovery");
    bool resyncing = Contains(sync_line, "resync");
    bool checking = Contains(sync_line, "check");
    if (recovering || resyncing || checking) {
      md.activity_state = recovering ? "recovering" : checking ? "checking" : "resyncing";
      if (Contains(sync_line, "PENDING") || Contains(sync_line, "DELAYED")) {
        md.blocks_synced = 0;
      } else {
        auto synced = ParseRecoveryLine(sync_line);
        if (!synced.ok()) return synced.status().WithContext(md.name);
        md.blocks_synced = *synced;
      }
    }
    devices.push_back(std::move(md));
  }
  return devices;
}

namespace {

constexpr std::size_t kMaxMdstatBytes = 1 << 20;

class MdadmCollector : public Collector {
 public:
  explicit MdadmCollector(std::string path) : path_(std::move(path)) {}
  std::string_view name() const override { return "mdadm"; }

  Status Collect(Families& out) override {
    // Hundreds of arrays fit in a few kilobytes; the cap bounds the line index ParseMdstat builds.
    auto text = ReadFileCapped(path_, kMaxMdstatBytes);
    if (!text.ok()) return text.status();  // kNotFound without md support: "no data", as node_exporter
    auto devices = ParseMdstat(*text);
    if (!devices.ok()) return devices.status().WithContext(path_);
    if (devices->empty()) return Status::Ok();
    auto& required = AddFamily(out, "node_md_disks_required", "Total number of disks of device.", kGauge);
    auto& disks = AddFamily(out, "node_md_disks", "Number of active/failed/spare disks of device.", kGauge);
    auto& state = AddFamily(out, "node_md_state", "Indicates the state of md-device.", kGauge);
    auto& blocks = AddFamily(out, "node_md_blocks", "Total number of blocks on device.", kGauge);
    auto& synced = AddFamily(out, "node_md_blocks_synced", "Number of blocks synced on device.", kGauge);
    static constexpr std::pair<std::string_view, std::string_view> kStates[] = {{"active", "active"},
                                                                                {"inactive", "inactive"},
                                                                                {"recovering", "recovering"},
                                                                                {"resyncing", "resync"},
                                                                                {"checking", "check"}};
    std::set<std::string> seen;
    for (const MdDevice& parsed : *devices) {
      // node_exporter 1.5 crashes on a name that is not UTF-8 and, for a name listed twice, serves the
      // first device (the registry drops the later duplicates); we repair the name and do the same.
      MdDevice md = parsed;
      md.name = ToValidUtf8(md.name);
      if (!seen.insert(md.name).second) continue;
      AddSample(required, {{"device", md.name}}, static_cast<double>(md.disks_total));
      AddSample(disks, {{"device", md.name}, {"state", "active"}}, static_cast<double>(md.disks_active));
      AddSample(disks, {{"device", md.name}, {"state", "failed"}}, static_cast<double>(md.disks_failed));
      AddSample(disks, {{"device", md.name}, {"state", "spare"}}, static_cast<double>(md.disks_spare));
      for (const auto& [activity, label] : kStates) {
        AddSample(state, {{"device", md.name}, {"state", label}}, md.activity_state == activity ? 1 : 0);
      }
      AddSample(blocks, {{"device", md.name}}, static_cast<double>(md.blocks_total));
      AddSample(synced, {{"device", md.name}}, static_cast<double>(md.blocks_synced));
    }
    return Status::Ok();
  }

 private:
  std::string path_;
};

}  // namespace

CollectorSpec MakeMdadmSpec() {
  CollectorSpec spec;
  spec.name = "mdadm";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<MdadmCollector>(env.paths.Proc("mdstat")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
