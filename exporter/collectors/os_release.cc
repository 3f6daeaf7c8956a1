#include "exporter/collectors/os_release.h"

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm::exporter {
namespace {

// os-release files are a few hundred bytes; anything far bigger is not one.
constexpr std::size_t kMaxOsReleaseBytes = 64 * 1024;

bool IsKeyChar(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

Status LineError(std::size_t line, const std::string& what) {
  return ParseError("os-release line " + std::to_string(line) + ": " + what);
}

// The value after '=' with its quoting removed; what follows a closing quote may only be a comment.
Result<std::string> UnquoteValue(std::string_view raw, std::size_t line) {
  std::string value;
  if (raw.empty()) return value;
  char quote = raw.front();
  if (quote != '"' && quote != '\'') {
    std::size_t comment = raw.find(" #");
    return std::string(text::Trim(raw.substr(0, comment)));
  }
  std::size_t i = 1;
  bool closed = false;
  for (; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == quote) {
      closed = true;
      ++i;
      break;
    }
    if (quote == '"' && c == '\\' && i + 1 < raw.size()) {
      char next = raw[i + 1];
      if (next == '"' || next == '\\' || next == '$' || next == '`') {
        value += next;
        ++i;
        continue;
      }
    }
    value += c;
  }
  if (!closed) return LineError(line, "unterminated quoted value");
  std::string_view rest = text::Trim(raw.substr(i));
  if (!rest.empty() && rest.front() != '#') return LineError(line, "unexpected text after the quoted value");
  return value;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseOsRelease(std::string_view text) {
  std::map<std::string, std::string> values;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    line = text::Trim(line);
    if (line.empty() || line.front() == '#') continue;
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) return LineError(lines.line_number(), "want KEY=value");
    std::string_view key = line.substr(0, equals);
    if (key.empty()) return LineError(lines.line_number(), "empty key");
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (!IsKeyChar(key[i], i == 0)) return LineError(lines.line_number(), "key must be [A-Za-z_][A-Za-z0-9_]*");
    }
    auto value = UnquoteValue(line.substr(equals + 1), lines.line_number());
    if (!value.ok()) return value.status();
    values[std::string(key)] = std::move(value).value();
  }
  return values;
}

double OsMajorMinorVersion(std::string_view version_id) {
  // Digits, an optional dot, more digits: the same prefix node_exporter's ^[0-9]+\.?[0-9]* takes.
  std::size_t end = 0;
  while (end < version_id.size() && version_id[end] >= '0' && version_id[end] <= '9') ++end;
  if (end == 0) return 0;
  if (end < version_id.size() && version_id[end] == '.') {
    ++end;
    while (end < version_id.size() && version_id[end] >= '0' && version_id[end] <= '9') ++end;
  }
  std::string_view number = version_id.substr(0, end);
  if (number.back() == '.') number.remove_suffix(1);
  return text::ParseDouble(number).value_or(0);
}

namespace {

class OsCollector : public Collector {
 public:
  explicit OsCollector(HostPaths paths) : paths_(std::move(paths)) {}
  std::string_view name() const override { return "os"; }

  Status Collect(Families& out) override {
    Result<std::string> text = NotFound("os-release");
    for (const char* candidate : {"/etc/os-release", "/usr/lib/os-release"}) {
      text = ReadFileCapped(paths_.Root(candidate), kMaxOsReleaseBytes);
      if (text.ok() || text.status().code() != StatusCode::kNotFound) break;
    }
    if (!text.ok()) return text.status();  // neither file: kNotFound, "no data"
    auto release = ParseOsRelease(*text);
    if (!release.ok()) return release.status();
    auto get = [&](const char* key) -> std::string_view {
      auto it = release->find(key);
      return it == release->end() ? std::string_view() : std::string_view(it->second);
    };
    auto& info = AddFamily(out, "node_os_info",
                           "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, "
                           "image_version, name, pretty_name, variant, variant_id, version, version_codename, "
                           "version_id.",
                           kGauge);
    AddSample(info,
              {{"build_id", get("BUILD_ID")},
               {"id", get("ID")},
               {"id_like", get("ID_LIKE")},
               {"image_id", get("IMAGE_ID")},
               {"image_version", get("IMAGE_VERSION")},
               {"name", get("NAME")},
               {"pretty_name", get("PRETTY_NAME")},
               {"variant", get("VARIANT")},
               {"variant_id", get("VARIANT_ID")},
               {"version", get("VERSION")},
               {"version_codename", get("VERSION_CODENAME")},
               {"version_id", get("VERSION_ID")}},
              1);
    double version = OsMajorMinorVersion(get("VERSION_ID"));
    if (version > 0) {
      auto& family = AddFamily(out, "node_os_version", "Metric containing the major.minor part of the OS version.",
                               kGauge);
      AddSample(family, {{"id", get("ID")}, {"id_like", get("ID_LIKE")}, {"name", get("NAME")}}, version);
    }
    return Status::Ok();
  }

 private:
  HostPaths paths_;
};

}  // namespace

CollectorSpec MakeOsSpec() {
  CollectorSpec spec;
  spec.name = "os";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<OsCollector>(env.paths));
  };
  return spec;
}

}  // namespace buildfarm::exporter
