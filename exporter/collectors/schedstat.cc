#include "exporter/collectors/schedstat.h"

#include <memory>

#include "common/text.h"
#include "exporter/procfs/kept_open_file.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kCpuCounters = 9;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<std::vector<SchedstatCpu>> ParseSchedstat(std::string_view text) {
  std::vector<SchedstatCpu> cpus;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    auto parts = text::Fields(line);
    if (parts.size() < 1 + kCpuCounters || parts[0].substr(0, 3) != "cpu" || !AllDigits(parts[0].substr(3))) continue;
    std::uint64_t counters[kCpuCounters];
    bool usable = true;
    for (std::size_t i = 0; i < kCpuCounters && usable; ++i) {
      auto value = text::ParseUint64(parts[i + 1]);
      usable = value.has_value();
      if (usable) counters[i] = *value;
    }
    if (!usable) continue;
    bool seen = false;  // a repeated cpu (never written by a sane kernel) keeps its first line
    for (const auto& cpu : cpus) seen = seen || cpu.cpu == parts[0].substr(3);
    if (seen) continue;
    cpus.push_back({std::string(parts[0].substr(3)), counters[6], counters[7], counters[8]});
  }
  if (cpus.empty()) return ParseError("schedstat: no \"cpuN\" line with " + std::to_string(kCpuCounters) + " counters");
  return cpus;
}

namespace {

class SchedstatCollector : public Collector {
 public:
  explicit SchedstatCollector(std::string path) : file_(std::move(path)) {}
  std::string_view name() const override { return "schedstat"; }

  Status Collect(Families& out) override {
    auto text = file_.Read();
    if (!text.ok()) return text.status();
    auto cpus = ParseSchedstat(*text);
    if (!cpus.ok()) return cpus.status().WithContext(file_.path());
    auto& running = AddFamily(out, "node_schedstat_running_seconds_total",
                              "Number of seconds CPU spent running a process.", kCounter);
    auto& waiting = AddFamily(out, "node_schedstat_waiting_seconds_total",
                              "Number of seconds spent by processing waiting for this CPU.", kCounter);
    auto& timeslices = AddFamily(out, "node_schedstat_timeslices_total", "Number of timeslices executed by CPU.",
                                 kCounter);
    for (const auto& cpu : *cpus) {
      AddSample(running, {{"cpu", cpu.cpu}}, static_cast<double>(cpu.running_nanoseconds) / 1e9);
      AddSample(waiting, {{"cpu", cpu.cpu}}, static_cast<double>(cpu.waiting_nanoseconds) / 1e9);
      AddSample(timeslices, {{"cpu", cpu.cpu}}, static_cast<double>(cpu.timeslices));
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

CollectorSpec MakeSchedstatSpec() {
  CollectorSpec spec;
  spec.name = "schedstat";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<SchedstatCollector>(env.paths.Proc("schedstat")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
