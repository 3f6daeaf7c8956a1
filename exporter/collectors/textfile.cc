#include "exporter/collectors/textfile.h"

#include <glob.h>
#include <sys/stat.h>

#include <map>

#include "common/file_reader.h"
#include "exporter/collectors/textfile_parser.h"

namespace buildfarm::exporter {
namespace {

// Text files are written by jobs and scripts; a file beyond this is a runaway, not metrics.
constexpr std::size_t kMaxTextfileBytes = 8u << 20;

// The directories a --collector.textfile.directory value names: the glob's matches, or the value
// itself when it matches nothing (so a missing directory is reported, as node_exporter does).
std::vector<std::string> ExpandDirectories(const std::string& pattern) {
  std::vector<std::string> directories;
  glob_t matches{};
  if (glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) directories.emplace_back(matches.gl_pathv[i]);
  }
  globfree(&matches);
  if (directories.empty()) directories.push_back(pattern);
  return directories;
}

bool EndsWithProm(const std::string& name) {
  return name.size() > 5 && name.compare(name.size() - 5, 5, ".prom") == 0;
}

class TextfileCollector : public Collector {
 public:
  TextfileCollector(std::string directory, const Logger& log) : directory_(std::move(directory)), log_(log) {}
  std::string_view name() const override { return "textfile"; }

  Status Collect(Families& out) override {
    bool errored = false;
    TextfileMerger merger;
    std::map<std::string, double> mtimes;  // by path; sorted like node_exporter's output
    if (!directory_.empty()) {
      for (const auto& directory : ExpandDirectories(directory_)) {
        auto names = ListDirectory(directory);
        if (!names.ok()) {
          errored = true;
          log_.Error("failed to read textfile collector directory",
                     {{"path", directory}, {"err", names.status().ToString()}});
          continue;
        }
        for (const auto& name : *names) {
          if (!EndsWithProm(name)) continue;
          std::string path = JoinPath(directory, name);
          Status status = ReadOne(path, merger, mtimes);
          if (status.code() == StatusCode::kNotFound) {
            log_.Debug("textfile vanished before it was read", {{"file", path}});
          } else if (!status.ok()) {
            errored = true;
            log_.Error("failed to collect textfile data", {{"file", path}, {"err", status.message()}});
          }
        }
      }
    }
    std::move(merger).AppendTo(out);
    if (!mtimes.empty()) {
      auto& family = AddFamily(out, "node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.",
                               kGauge);
      for (const auto& [path, mtime] : mtimes) AddSample(family, {{"file", path}}, mtime);
    }
    AddSingle(out, "node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise",
              kGauge, errored ? 1 : 0);
    return Status::Ok();
  }

 private:
  static Status ReadOne(const std::string& path, TextfileMerger& merger, std::map<std::string, double>& mtimes) {
    auto text = ReadFileCapped(path, kMaxTextfileBytes);
    if (!text.ok()) return text.status();
    auto families = ParseTextfile(*text, path);
    if (!families.ok()) return families.status();
    // Stat only once the file parsed, so a broken file never looks fresh (node_exporter's order).
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) return NotFound(path + ": vanished");
    Status merged = merger.Add(path, std::move(families).value());
    if (!merged.ok()) return merged;
    mtimes[path] = static_cast<double>(info.st_mtim.tv_sec);
    return Status::Ok();
  }

  const std::string directory_;
  const Logger& log_;
};

}  // namespace

CollectorSpec MakeTextfileSpec() {
  CollectorSpec spec;
  spec.name = "textfile";
  auto directory = std::make_shared<std::string>();
  spec.add_flags = [directory](FlagSet& flags) {
    flags.AddString("collector.textfile.directory", directory.get(), "Directory to read text files with metrics from.");
  };
  spec.create = [directory](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<TextfileCollector>(*directory, env.log));
  };
  return spec;
}

}  // namespace buildfarm::exporter
