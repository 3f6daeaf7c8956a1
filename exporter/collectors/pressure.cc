#include "exporter/collectors/pressure.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {

Result<PressureStats> ParsePressure(std::string_view text) {
  PressureStats stats;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto where = [&] { return "pressure line " + std::to_string(lines.line_number()) + ": "; };
    auto parts = text::Fields(line);
    if (parts.empty() || (parts[0] != "some" && parts[0] != "full")) continue;
    if (parts.size() != 5) return ParseError(where() + "want \"" + std::string(parts[0]) + " avg10=.. avg60=.. avg300=.. total=..\"");
    static constexpr std::string_view kKeys[] = {"avg10=", "avg60=", "avg300=", "total="};
    double averages[3];
    PressureLine entry;
    for (int i = 0; i < 4; ++i) {
      std::string_view part = parts[i + 1];
      if (part.substr(0, kKeys[i].size()) != kKeys[i]) {
        return ParseError(where() + "field " + std::to_string(i + 2) + " should start with " + std::string(kKeys[i]));
      }
      std::string_view value = part.substr(kKeys[i].size());
      if (i < 3) {
        auto average = text::ParseDouble(value);
        if (!average) return ParseError(where() + std::string(kKeys[i]) + " is not a number");
        averages[i] = *average;
      } else {
        auto total = text::ParseUint64(value);
        if (!total) return ParseError(where() + "total= is not an unsigned integer");
        entry.total_microseconds = *total;
      }
    }
    entry.avg10 = averages[0];
    entry.avg60 = averages[1];
    entry.avg300 = averages[2];
    (parts[0] == "some" ? stats.some : stats.full) = entry;
  }
  return stats;
}

namespace {

struct Resource {
  const char* file;
  const char* waiting_name;
  const char* waiting_help;
  const char* stalled_name;  // nullptr: node_exporter exports no "full" line for this resource
  const char* stalled_help;
};

constexpr Resource kResources[] = {
    {"pressure/cpu", "node_pressure_cpu_waiting_seconds_total",
     "Total time in seconds that processes have waited for CPU time", nullptr, nullptr},
    {"pressure/io", "node_pressure_io_waiting_seconds_total",
     "Total time in seconds that processes have waited due to IO congestion", "node_pressure_io_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IO congestion"},
    {"pressure/memory", "node_pressure_memory_waiting_seconds_total",
     "Total time in seconds that processes have waited for memory", "node_pressure_memory_stalled_seconds_total",
     "Total time in seconds no process could make progress due to memory congestion"},
};
constexpr int kResourceCount = sizeof(kResources) / sizeof(kResources[0]);

// Two divisions, as node_exporter computes it: a single /1e6 rounds differently for some totals
// (51239847 gives 51.239847 instead of 51.239847000000005), and the series must agree exactly.
double Seconds(const PressureLine& line) { return static_cast<double>(line.total_microseconds) / 1000.0 / 1000.0; }

class PressureCollector : public Collector {
 public:
  explicit PressureCollector(const HostPaths& paths)
      : files_{KeptOpenFile(paths.Proc(kResources[0].file)), KeptOpenFile(paths.Proc(kResources[1].file)),
               KeptOpenFile(paths.Proc(kResources[2].file))} {}
  std::string_view name() const override { return "pressure"; }

  Status Collect(Families& out) override {
    for (int i = 0; i < kResourceCount; ++i) {
      const Resource& resource = kResources[i];
      auto text = files_[i].Read();
      if (!text.ok()) return NoDataOr(text.status());
      auto stats = ParsePressure(*text);
      if (!stats.ok()) return stats.status().WithContext(files_[i].path());
      if (!stats->some) return ParseError(files_[i].path() + ": no \"some\" line");
      if (resource.stalled_name != nullptr && !stats->full) return ParseError(files_[i].path() + ": no \"full\" line");
      AddSingle(out, resource.waiting_name, resource.waiting_help, kCounter, Seconds(*stats->some));
      if (resource.stalled_name != nullptr) {
        AddSingle(out, resource.stalled_name, resource.stalled_help, kCounter, Seconds(*stats->full));
      }
    }
    return Status::Ok();
  }

 private:
  // A kernel built without PSI has no /proc/pressure; one booted with psi=0 fails the read with
  // EOPNOTSUPP. Both are "no data", as for node_exporter.
  static Status NoDataOr(const Status& status) {
    if (status.code() == StatusCode::kNotFound) return status;
    std::string_view message = status.message();
    std::string_view unsupported = std::strerror(EOPNOTSUPP);
    if (message.size() >= unsupported.size() && message.substr(message.size() - unsupported.size()) == unsupported) {
      return NotFound(std::string(message) + " (pressure information is disabled; boot with psi=1)");
    }
    return status;
  }

  KeptOpenFile files_[kResourceCount];
};

}  // namespace

CollectorSpec MakePressureSpec() {
  CollectorSpec spec;
  spec.name = "pressure";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<PressureCollector>(env.paths));
  };
  return spec;
}

}  // namespace buildfarm::exporter
