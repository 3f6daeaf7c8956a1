#include "exporter/collectors/cpu.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <unistd.h>

#include "common/file_reader.h"
#include "common/mutex.h"
#include "exporter/procfs/kept_open_file.h"
#include "common/text.h"

namespace buildfarm::exporter {

Result<std::vector<std::uint64_t>> ParseCpuList(std::string_view text) {
  std::vector<std::uint64_t> cpus;
  std::string_view rest = text::Trim(text);
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    std::size_t dash = item.find('-');
    auto first = text::ParseUint64(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : text::ParseUint64(item.substr(dash + 1));
    if (!first || !last || *last < *first || *last > kMaxCpuId) {
      return ParseError("bad CPU range \"" + std::string(item) + "\"");
    }
    for (std::uint64_t cpu = *first; cpu <= *last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

void MonotonicCpuTicks(CpuTicks& previous, const CpuTicks& current) {
  // node_exporter's jumpBackSeconds, in ticks.
  constexpr std::uint64_t kJumpBackTicks = 3 * static_cast<std::uint64_t>(kUserHz);
  if (previous.idle > current.idle && previous.idle - current.idle >= kJumpBackTicks) previous = CpuTicks{};
  auto keep_max = [](std::uint64_t& kept, std::uint64_t now) {
    if (now > kept) kept = now;
  };
  keep_max(previous.user, current.user);
  keep_max(previous.nice, current.nice);
  keep_max(previous.system, current.system);
  keep_max(previous.idle, current.idle);
  keep_max(previous.iowait, current.iowait);
  keep_max(previous.irq, current.irq);
  keep_max(previous.softirq, current.softirq);
  keep_max(previous.steal, current.steal);
  keep_max(previous.guest, current.guest);
  keep_max(previous.guest_nice, current.guest_nice);
}

namespace {

struct CpuOptions {
  bool guest = true;
};

// Which thermal_throttle files to read for each (package, core) and each package. node_exporter
// takes the first CPU (in name order) whose file reads, so every key keeps its candidates in order.
// Listing /sys/devices/system/cpu and reading topology costs more than the counts themselves, so
// the plan is built once and rebuilt only when the number of CPUs in /proc/stat changes (hot-plug);
// files that do not exist when it is built (no thermal_throttle on VMs) are left out.
struct ThrottlePlan {
  struct Core {
    std::string package;
    std::string core;
    std::vector<std::string> files;
  };
  struct Package {
    std::string package;
    std::vector<std::string> files;
  };
  std::size_t cpu_count = 0;  // the /proc/stat CPU count the plan was built for
  std::vector<Core> cores;
  std::vector<Package> packages;
};

bool IsCpuDirName(std::string_view name) {
  return name.size() > 3 && name.substr(0, 3) == "cpu" && name[3] >= '0' && name[3] <= '9';
}

std::optional<std::uint64_t> ReadUintFile(const std::string& path) {
  auto text = ReadFileCapped(path, 4096);
  if (!text.ok()) return std::nullopt;
  return text::ParseUint64(text::Trim(*text));
}

bool Readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

ThrottlePlan BuildThrottlePlan(const std::string& cpu_root, std::size_t cpu_count) {
  ThrottlePlan plan;
  plan.cpu_count = cpu_count;
  auto listing = ListDirectory(cpu_root);
  if (!listing.ok()) return plan;  // no sysfs CPU directory: node_exporter's glob finds nothing
  for (const auto& name : *listing) {
    if (!IsCpuDirName(name)) continue;
    std::string dir = JoinPath(cpu_root, name);
    auto package = ReadUintFile(JoinPath(dir, "topology/physical_package_id"));
    if (!package) continue;
    auto core = ReadUintFile(JoinPath(dir, "topology/core_id"));
    if (!core) continue;
    std::string package_label = std::to_string(*package), core_label = std::to_string(*core);
    ThrottlePlan::Core* core_entry = nullptr;
    for (auto& c : plan.cores) {
      if (c.package == package_label && c.core == core_label) core_entry = &c;
    }
    if (core_entry == nullptr) core_entry = &plan.cores.emplace_back(ThrottlePlan::Core{package_label, core_label, {}});
    if (std::string file = JoinPath(dir, "thermal_throttle/core_throttle_count"); Readable(file)) {
      core_entry->files.push_back(std::move(file));
    }
    ThrottlePlan::Package* package_entry = nullptr;
    for (auto& p : plan.packages) {
      if (p.package == package_label) package_entry = &p;
    }
    if (package_entry == nullptr) package_entry = &plan.packages.emplace_back(ThrottlePlan::Package{package_label, {}});
    if (std::string file = JoinPath(dir, "thermal_throttle/package_throttle_count"); Readable(file)) {
      package_entry->files.push_back(std::move(file));
    }
  }
  return plan;
}

std::optional<std::uint64_t> FirstReadable(const std::vector<std::string>& files) {
  for (const auto& file : files) {
    if (auto value = ReadUintFile(file)) return value;
  }
  return std::nullopt;
}

class CpuCollector : public Collector {
 public:
  CpuCollector(std::string stat_path, std::string cpu_root, bool guest, std::vector<std::uint64_t> isolated)
      : stat_file_(std::move(stat_path)), cpu_root_(std::move(cpu_root)), guest_(guest), isolated_(std::move(isolated)) {}

  std::string_view name() const override { return "cpu"; }

  Status Collect(Families& out) override {
    auto text = stat_file_.Read();
    if (!text.ok()) return text.status();
    auto stat = ParseProcStat(*text);
    if (!stat.ok()) return stat.status().WithContext(stat_file_.path());

    // The family references held below stay valid only while `out` does not reallocate; this
    // collector adds at most 5 families.
    MutexLock lock(mu_);
    // node_exporter starts over when the number of CPUs changes.
    if (last_.size() != stat->cpus.size()) last_.assign(stat->cpus.size(), CpuTicks{});
    while (cpu_labels_.size() < stat->cpus.size()) cpu_labels_.push_back(std::to_string(cpu_labels_.size()));

    auto& seconds = AddFamily(out, "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", kCounter);
    seconds.metric.reserve(stat->cpus.size() * 8);
    prometheus::MetricFamily* guest = nullptr;
    if (guest_) {
      guest = &AddFamily(out, "node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.",
                         kCounter);
      guest->metric.reserve(stat->cpus.size() * 2);
    }
    for (std::size_t i = 0; i < stat->cpus.size(); ++i) {
      CpuTicks& t = last_[i];
      MonotonicCpuTicks(t, stat->cpus[i]);
      const std::string& cpu = cpu_labels_[i];
      const std::pair<std::string_view, std::uint64_t> modes[] = {
          {"user", t.user}, {"nice", t.nice},       {"system", t.system},   {"idle", t.idle},
          {"iowait", t.iowait}, {"irq", t.irq}, {"softirq", t.softirq}, {"steal", t.steal}};
      for (const auto& [mode, ticks] : modes) {
        AddSample(seconds, {{"cpu", cpu}, {"mode", mode}}, static_cast<double>(ticks) / kUserHz);
      }
      if (guest != nullptr) {
        AddSample(*guest, {{"cpu", cpu}, {"mode", "user"}}, static_cast<double>(t.guest) / kUserHz);
        AddSample(*guest, {{"cpu", cpu}, {"mode", "nice"}}, static_cast<double>(t.guest_nice) / kUserHz);
      }
    }

    if (!isolated_.empty()) {
      auto& isolated = AddFamily(out, "node_cpu_isolated",
                                 "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
                                 kGauge);
      for (auto cpu : isolated_) AddSample(isolated, {{"cpu", std::to_string(cpu)}}, 1);
    }
    AddThrottles(out, stat->cpus.size());
    return Status::Ok();
  }

 private:
  void AddThrottles(Families& out, std::size_t cpu_count) REQUIRES(mu_) {
    if (!plan_ || plan_->cpu_count != cpu_count) plan_ = BuildThrottlePlan(cpu_root_, cpu_count);

    prometheus::MetricFamily* cores = nullptr;
    for (const auto& core : plan_->cores) {
      auto count = FirstReadable(core.files);
      if (!count) continue;
      if (cores == nullptr) {
        cores = &AddFamily(out, "node_cpu_core_throttles_total", "Number of times this CPU core has been throttled.",
                           kCounter);
      }
      AddSample(*cores, {{"core", core.core}, {"package", core.package}}, static_cast<double>(*count));
    }
    prometheus::MetricFamily* packages = nullptr;
    for (const auto& package : plan_->packages) {
      auto count = FirstReadable(package.files);
      if (!count) continue;
      if (packages == nullptr) {
        packages = &AddFamily(out, "node_cpu_package_throttles_total",
                              "Number of times this CPU package has been throttled.", kCounter);
      }
      AddSample(*packages, {{"package", package.package}}, static_cast<double>(*count));
    }
  }

  KeptOpenFile stat_file_;
  const std::string cpu_root_;
  const bool guest_;
  const std::vector<std::uint64_t> isolated_;  // read once: isolcpus is a boot parameter

  Mutex mu_;
  std::vector<CpuTicks> last_ GUARDED_BY(mu_);
  std::vector<std::string> cpu_labels_ GUARDED_BY(mu_);
  std::optional<ThrottlePlan> plan_ GUARDED_BY(mu_);
};

}  // namespace

CollectorSpec MakeCpuSpec() {
  auto options = std::make_shared<CpuOptions>();
  CollectorSpec spec;
  spec.name = "cpu";
  spec.add_flags = [options](FlagSet& flags) {
    flags.AddBool("collector.cpu.guest", &options->guest, "Enables metric node_cpu_guest_seconds_total");
  };
  spec.create = [options](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    std::vector<std::uint64_t> isolated;
    std::string isolated_path = env.paths.Sys("devices/system/cpu/isolated");
    if (auto text = ReadFileCapped(isolated_path, 65536); text.ok()) {
      auto cpus = ParseCpuList(*text);
      if (cpus.ok()) {
        isolated = std::move(*cpus);
      } else {
        env.log.Warn("ignoring unreadable isolated CPU list",
                     {{"path", isolated_path}, {"err", cpus.status().message()}});
      }
    }
    return std::unique_ptr<Collector>(std::make_unique<CpuCollector>(
        env.paths.Proc("stat"), env.paths.Sys("devices/system/cpu"), options->guest, std::move(isolated)));
  };
  return spec;
}

}  // namespace buildfarm::exporter
