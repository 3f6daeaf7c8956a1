#include "exporter/collectors/cpufreq.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "common/file_reader.h"
#include "exporter/procfs/sysfs_attribute.h"

namespace buildfarm::exporter {

namespace {

// File, metric name, HELP, in node_exporter's order.
struct FrequencyFile {
  std::string_view file;
  std::string_view metric;
  std::string_view help;
};

constexpr FrequencyFile kFrequencyFiles[] = {
    {"cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current cpu thread frequency in hertz."},
    {"cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz."},
    {"cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz."},
    {"scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."},
    {"scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."},
    {"scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."},
};

// Read by node_exporter 1.5 (procfs) and required, though nothing of them is exported.
constexpr std::string_view kRequiredStringFiles[] = {"scaling_available_governors", "scaling_driver",
                                                     "scaling_governor", "related_cpus", "scaling_setspeed"};

Status ErrnoError(const std::string& path, int error) {
  std::string message = "read " + path + ": " + std::strerror(error);
  return error == ENOENT ? NotFound(std::move(message)) : IoError(std::move(message));
}

class CpufreqCollector : public Collector {
 public:
  explicit CpufreqCollector(std::string cpu_dir) : cpu_dir_(std::move(cpu_dir)) {}
  std::string_view name() const override { return "cpufreq"; }

  Status Collect(Families& out) override {
    auto names = ListDirectory(cpu_dir_);
    // node_exporter globs cpu[0-9]*: a missing directory matches nothing and serves nothing.
    if (!names.ok()) return names.status().code() == StatusCode::kNotFound ? Status::Ok() : names.status();
    Families families;
    for (const FrequencyFile& file : kFrequencyFiles) {
      AddFamily(families, std::string(file.metric), std::string(file.help), kGauge);
    }
    for (const std::string& entry : *names) {
      if (entry.size() < 4 || entry.compare(0, 3, "cpu") != 0 || entry[3] < '0' || entry[3] > '9') continue;
      std::string dir = JoinPath(JoinPath(cpu_dir_, entry), "cpufreq");
      struct stat info;
      if (::stat(dir.c_str(), &info) != 0) {
        if (errno == ENOENT) continue;  // CPU without frequency scaling
        return ErrnoError(dir, errno);
      }
      std::string cpu = entry.substr(3);
      for (std::size_t i = 0; i < std::size(kFrequencyFiles); ++i) {
        std::string path = JoinPath(dir, kFrequencyFiles[i].file);
        SysfsAttribute value = ReadWholeSysfsFile(path);
        if (value.error == ENOENT || value.error == EACCES || value.error == EPERM) continue;
        if (value.error != 0) return ErrnoError(path, value.error);
        auto khz = ParseSysfsUint64(value.value);
        if (!khz.ok()) return khz.status().WithContext(path);
        AddSample(families[i], {{"cpu", cpu}}, static_cast<double>(*khz) * 1000.0);
      }
      for (std::string_view file : kRequiredStringFiles) {
        std::string path = JoinPath(dir, file);
        SysfsAttribute value = ReadSysfsAttribute(path);
        if (value.error != 0) return ErrnoError(path, value.error);
      }
    }
    for (auto& family : families) {
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return Status::Ok();
  }

 private:
  std::string cpu_dir_;
};

}  // namespace

CollectorSpec MakeCpufreqSpec() {
  CollectorSpec spec;
  spec.name = "cpufreq";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<CpufreqCollector>(env.paths.Sys("devices/system/cpu")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
