#include "exporter/collectors/meminfo.h"

#include <cmath>
#include <memory>

#include "common/file_reader.h"
#include "exporter/procfs/kept_open_file.h"
#include "common/text.h"

namespace buildfarm::exporter {
namespace {

bool IsMetricNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
}

// node_exporter drops the key's last character (the colon) and rewrites `\((.*)\)` to `_$1`:
// the greedy match runs from the first '(' to the last ')'.
std::string MangleKey(std::string_view key) {
  key.remove_suffix(1);
  std::size_t open = key.find('(');
  std::size_t close = key.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::string(key);
  std::string out;
  out.reserve(key.size());
  out.append(key.substr(0, open));
  out.push_back('_');
  out.append(key.substr(open + 1, close - open - 1));
  out.append(key.substr(close + 1));
  return out;
}

Status LineError(std::size_t line_no, std::string_view what) {
  return ParseError("line " + std::to_string(line_no) + ": " + std::string(what));
}

}  // namespace

Result<std::vector<MeminfoEntry>> ParseMeminfo(std::string_view text) {
  std::vector<MeminfoEntry> entries;
  entries.reserve(64);
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    const std::size_t line_no = lines.line_number();

    // At most 4 fields matter: anything with more is an error anyway.
    std::string_view parts[4];
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < line.size() && count < 4) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      std::size_t field_start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      if (i > field_start) parts[count++] = line.substr(field_start, i - field_start);
    }
    if (count == 0) continue;  // some kernels write empty lines
    if (count < 2 || count > 3) return LineError(line_no, "want \"Field: value [kB]\"");
    auto value = text::ParseDouble(parts[1]);
    if (!value || !std::isfinite(*value)) return LineError(line_no, "value is not a number");
    MeminfoEntry entry;
    entry.field = MangleKey(parts[0]);
    if (entry.field.empty()) return LineError(line_no, "empty field name");
    for (char c : entry.field) {
      if (!IsMetricNameChar(c)) return LineError(line_no, "field name has characters a metric name cannot");
    }
    entry.in_bytes = count == 3;  // the unit is always kB
    entry.value = entry.in_bytes ? *value * 1024 : *value;

    bool replaced = false;
    for (auto& existing : entries) {
      if (existing.field == entry.field && existing.in_bytes == entry.in_bytes) {
        existing.value = entry.value;
        replaced = true;
        break;
      }
    }
    if (!replaced) entries.push_back(std::move(entry));
  }
  if (entries.empty()) return ParseError("no fields");
  return entries;
}

std::optional<double> FindMeminfo(const std::vector<MeminfoEntry>& entries, std::string_view field) {
  for (const auto& entry : entries) {
    if (entry.field == field) return entry.value;
  }
  return std::nullopt;
}

std::string MeminfoMetricName(const MeminfoEntry& entry) {
  std::string name = "node_memory_";
  name += entry.field;
  if (entry.in_bytes) name += "_bytes";
  return name;
}

namespace {

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(std::string path) : file_(std::move(path)) {}
  std::string_view name() const override { return "meminfo"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto entries = ParseMeminfo(*text);
    if (!entries.ok()) return entries.status().WithContext(file_.path());
    for (const auto& entry : *entries) {
      std::string name = MeminfoMetricName(entry);
      std::string_view key = std::string_view(name).substr(std::string_view("node_memory_").size());
      // node_exporter types a field as a counter only when its name ends in _total.
      bool counter = key.size() >= 6 && key.substr(key.size() - 6) == "_total";
      std::string help = "Memory information field " + std::string(key) + ".";
      AddSingle(out, std::move(name), std::move(help), counter ? kCounter : kGauge, entry.value);
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

CollectorSpec MakeMeminfoSpec() {
  CollectorSpec spec;
  spec.name = "meminfo";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<MeminfoCollector>(env.paths.Proc("meminfo")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
