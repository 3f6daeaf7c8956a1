#include "exporter/collectors/time.h"

#include <ctime>
#include <memory>
#include <utility>

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm::exporter {
namespace {

bool IsPrintableName(std::string_view name) {
  for (char c : name) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Result<Clocksource> ParseClocksource(std::string_view available, std::string_view current) {
  Clocksource out;
  for (auto name : text::Fields(text::Trim(available))) {
    if (!IsPrintableName(name)) return ParseError("available_clocksource has a name that is not printable ASCII");
    out.available.emplace_back(name);
  }
  std::string_view trimmed = text::Trim(current);
  if (trimmed.empty()) return ParseError("current_clocksource is empty");
  if (!IsPrintableName(trimmed)) return ParseError("current_clocksource is not a single printable name");
  out.current = std::string(trimmed);
  return out;
}

namespace {

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(std::vector<std::string> clocksource_dirs) : clocksource_dirs_(std::move(clocksource_dirs)) {}
  std::string_view name() const override { return "time"; }

  Status Collect(Families& out) override {
    // Family references held below stay valid only while `out` does not reallocate: 4 families.
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    // Same arithmetic as node_exporter: nanoseconds since the epoch as a float, over 1e9.
    double seconds = static_cast<double>(static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec) / 1e9;
    std::tm local{};
    localtime_r(&now.tv_sec, &local);

    AddSingle(out, "node_time_seconds", "System time in seconds since epoch (1970).", kGauge, seconds);
    auto& zone = AddFamily(out, "node_time_zone_offset_seconds", "System time zone offset in seconds.", kGauge);
    AddSample(zone, {{"time_zone", local.tm_zone != nullptr ? local.tm_zone : "UTC"}},
              static_cast<double>(local.tm_gmtoff));
    return AddClocksources(out);
  }

 private:
  Status AddClocksources(Families& out) const {
    prometheus::MetricFamily* available = nullptr;
    prometheus::MetricFamily* current = nullptr;
    std::size_t index = 0;
    for (const auto& dir : clocksource_dirs_) {
      auto available_text = ReadFileCapped(JoinPath(dir, "available_clocksource"), 4096);
      if (!available_text.ok()) return available_text.status();
      auto current_text = ReadFileCapped(JoinPath(dir, "current_clocksource"), 4096);
      if (!current_text.ok()) return current_text.status();
      auto source = ParseClocksource(*available_text, *current_text);
      if (!source.ok()) return source.status().WithContext(dir);

      if (available == nullptr) {
        available = &AddFamily(out, "node_time_clocksource_available_info",
                               "Available clocksources read from '/sys/devices/system/clocksource'.", kGauge);
        current = &AddFamily(out, "node_time_clocksource_current_info",
                             "Current clocksource read from '/sys/devices/system/clocksource'.", kGauge);
      }
      std::string device = std::to_string(index++);
      for (const auto& name : source->available) AddSample(*available, {{"clocksource", name}, {"device", device}}, 1);
      AddSample(*current, {{"clocksource", source->current}, {"device", device}}, 1);
    }
    return Status::Ok();
  }

  // The clocksource devices are fixed at boot; their files are read on every scrape.
  const std::vector<std::string> clocksource_dirs_;
};

// node_exporter globs clocksource[0-9]* and labels each by its position in that sorted list.
// No directory means nothing to report, as node_exporter's glob finds nothing.
std::vector<std::string> ListClocksourceDirs(const std::string& root) {
  std::vector<std::string> dirs;
  auto listing = ListDirectory(root);
  if (!listing.ok()) return dirs;
  for (const auto& entry : *listing) {
    if (entry.size() > 11 && entry.compare(0, 11, "clocksource") == 0 && entry[11] >= '0' && entry[11] <= '9') {
      dirs.push_back(JoinPath(root, entry));
    }
  }
  return dirs;
}

}  // namespace

CollectorSpec MakeTimeSpec() {
  CollectorSpec spec;
  spec.name = "time";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<TimeCollector>(ListClocksourceDirs(env.paths.Sys("devices/system/clocksource"))));
  };
  return spec;
}

}  // namespace buildfarm::exporter
