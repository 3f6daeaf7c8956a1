#include "exporter/status_document.h"

#include <unistd.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/collectors/meminfo.h"
#include "exporter/procfs/proc_stat_parser.h"

namespace buildfarm::exporter {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

double Round(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "temp1_input" style sensor files hold millidegrees Celsius.
std::optional<double> ReadMillidegrees(const std::string& path) {
  auto text = ReadFileCapped(path, 4096);
  if (!text.ok()) return std::nullopt;
  auto value = text::ParseInt64(text::Trim(*text));
  if (!value) return std::nullopt;
  return static_cast<double>(*value) / 1000.0;
}

}  // namespace

Result<CpuSample> ParseStatCpu(std::string_view proc_stat) {
  auto stat = ParseProcStat(proc_stat, ProcStatRequired::kCpuLine);
  if (!stat.ok()) return stat.status().WithContext("stat");
  // user nice system idle must be there; guest time is already inside user and nice.
  if (stat->total_columns < 4) {
    return ParseError("stat: cpu line has " + std::to_string(stat->total_columns) + " values, want at least 4");
  }
  const CpuTicks& t = stat->total;
  std::uint64_t total = 0;
  for (std::uint64_t v : {t.user, t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal}) {
    if (total + v < total) return ParseError("stat: cpu values overflow");
    total += v;
  }
  CpuSample sample;
  sample.total = total;
  sample.busy = total - t.idle - t.iowait;
  sample.cpus = stat->cpu_lines;
  return sample;
}

Result<MemoryTotals> ParseMemoryTotals(std::string_view meminfo) {
  auto entries = ParseMeminfo(meminfo);
  if (!entries.ok()) return entries.status().WithContext("meminfo");
  auto total = FindMeminfo(*entries, "MemTotal");
  auto available = FindMeminfo(*entries, "MemAvailable");
  if (!available) available = FindMeminfo(*entries, "MemFree");
  if (!total) return ParseError("meminfo: no MemTotal line");
  if (!available) return ParseError("meminfo: neither MemAvailable nor MemFree");
  // Doubles from kB * 1024 are exact far beyond any real memory size; the bound keeps the casts defined.
  constexpr double kTwoTo64 = 18446744073709551616.0;
  if (!(*total >= 0 && *total < kTwoTo64 && *available >= 0 && *available < kTwoTo64)) {
    return ParseError("meminfo: MemTotal or MemAvailable out of range");
  }
  auto total_bytes = static_cast<std::uint64_t>(*total);
  return MemoryTotals{total_bytes, std::min(static_cast<std::uint64_t>(*available), total_bytes)};
}

double CpuUsagePercent(const std::optional<CpuSample>& previous, const CpuSample& current) {
  double busy = static_cast<double>(current.busy);
  double total = static_cast<double>(current.total);
  if (previous && current.total > previous->total && current.busy >= previous->busy) {
    busy = static_cast<double>(current.busy - previous->busy);
    total = static_cast<double>(current.total - previous->total);
  }
  if (total <= 0) return 0;
  return std::clamp(busy / total * 100.0, 0.0, 100.0);
}

std::optional<double> MeanSuccessfulProbeMillis(const Families& latency_families) {
  using Labels = std::vector<prometheus::ClientMetric::Label>;
  std::map<Labels, bool> succeeded;
  for (const auto& family : latency_families) {
    if (family.name != "buildfarm_probe_success") continue;
    for (const auto& metric : family.metric) succeeded[metric.label] = metric.gauge.value == 1;
  }
  double sum = 0;
  int count = 0;
  for (const auto& family : latency_families) {
    if (family.name != "buildfarm_probe_last_duration_seconds") continue;
    for (const auto& metric : family.metric) {
      auto it = succeeded.find(metric.label);
      if (it == succeeded.end() || !it->second) continue;
      sum += metric.gauge.value;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return sum / count * 1000.0;
}

std::string Rfc3339Utc(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::string PrimaryIpv4() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "127.0.0.1";
  std::string found = "127.0.0.1";
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    const auto* addr = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
    if ((ntohl(addr->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET, &addr->sin_addr, text, sizeof text) != nullptr) {
      found = text;
      break;
    }
  }
  freeifaddrs(list);
  return found;
}

std::optional<double> StatusDocumentBuilder::MaxTemperatureCelsius() const {
  std::optional<double> hottest;
  auto consider = [&hottest](std::optional<double> celsius) {
    if (celsius && (!hottest || *celsius > *hottest)) hottest = celsius;
  };
  std::string hwmon_root = paths_.Sys("class/hwmon");
  if (auto chips = ListDirectory(hwmon_root); chips.ok()) {
    for (const auto& chip : *chips) {
      std::string dir = JoinPath(hwmon_root, chip);
      auto files = ListDirectory(dir);
      if (!files.ok()) continue;
      for (const auto& file : *files) {
        if (StartsWith(file, "temp") && file.size() > 6 && file.substr(file.size() - 6) == "_input") {
          consider(ReadMillidegrees(JoinPath(dir, file)));
        }
      }
    }
  }
  std::string thermal_root = paths_.Sys("class/thermal");
  if (auto zones = ListDirectory(thermal_root); zones.ok()) {
    for (const auto& zone : *zones) {
      if (StartsWith(zone, "thermal_zone")) consider(ReadMillidegrees(JoinPath(JoinPath(thermal_root, zone), "temp")));
    }
  }
  return hottest;
}

Result<std::string> StatusDocumentBuilder::Build(std::optional<double> network_latency_ms,
                                                 std::chrono::system_clock::time_point now) {
  std::string stat_path = paths_.Proc("stat");
  auto stat_text = ReadFileCapped(stat_path);
  if (!stat_text.ok()) return stat_text.status();
  auto cpu = ParseStatCpu(*stat_text);
  if (!cpu.ok()) return cpu.status().WithContext(stat_path);
  std::string meminfo_path = paths_.Proc("meminfo");
  auto meminfo_text = ReadFileCapped(meminfo_path);
  if (!meminfo_text.ok()) return meminfo_text.status();
  auto memory = ParseMemoryTotals(*meminfo_text);
  if (!memory.ok()) return memory.status().WithContext(meminfo_path);
  std::string root = paths_.Root("/");
  struct statvfs fs {};
  if (::statvfs(root.c_str(), &fs) != 0) return IoError("statvfs " + root + ": " + std::strerror(errno));

  double cpu_usage;
  {
    MutexLock lock(mutex_);
    bool latest_is_old_enough = latest_cpu_ && now - latest_cpu_->time >= kMinCpuInterval;
    if (latest_is_old_enough) baseline_cpu_ = latest_cpu_;
    cpu_usage = CpuUsagePercent(baseline_cpu_ ? std::optional<CpuSample>(baseline_cpu_->sample) : std::nullopt, *cpu);
    if (!latest_cpu_ || latest_is_old_enough) latest_cpu_ = TimedSample{*cpu, now};
  }

  nlohmann::ordered_json system = {
      {"cpu_usage", Round(cpu_usage, 2)},
      {"memory_used_gb", Round(static_cast<double>(memory->total_bytes - memory->available_bytes) / kGiB, 3)},
      {"disk_free_gb", Round(static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize) / kGiB, 3)},
  };
  if (network_latency_ms) system["network_latency_ms"] = Round(*network_latency_ms, 3);
  if (auto celsius = MaxTemperatureCelsius()) system["temperature_celsius"] = Round(*celsius, 1);

  std::int64_t memory_gb = std::llround(static_cast<double>(memory->total_bytes) / kGiB);
  // ordered_json keeps the seed document's field order.
  nlohmann::ordered_json document = {
      {"server_id", identity_.server_id},
      {"hostname", identity_.hostname},
      {"ip", identity_.ip},
      {"status", "online"},
      {"timestamp", Rfc3339Utc(now)},
      {"system", std::move(system)},
      {"capabilities", {{"cores", std::max(1u, cpu->cpus)}, {"memory_gb", std::max<std::int64_t>(1, memory_gb)}}},
  };
  try {
    return document.dump(2) + "\n";
  } catch (const nlohmann::json::exception& e) {  // invalid UTF-8 in a host name, for one
    return Internal(std::string("status document: ") + e.what());
  }
}

}  // namespace buildfarm::exporter
