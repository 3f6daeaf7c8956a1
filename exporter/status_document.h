// The node's status document, served as /status.json and checked against schemas/status.schema.json.
//
//   {"server_id": "build1", "hostname": "...", "ip": "10.0.0.5", "status": "online",
//    "timestamp": "2026-11-27T00:00:00Z",
//    "system": {"cpu_usage": 12.5, "memory_used_gb": 3.2, "disk_free_gb": 120.4,
//               "network_latency_ms": 0.8, "temperature_celsius": 54.0},
//    "capabilities": {"cores": 8, "memory_gb": 16}}
//
// It reads /proc/stat, /proc/meminfo, hwmon and thermal zones through HostPaths, parsing the first
// two with the collectors' parsers (proc_stat_parser.h, meminfo.h: the status document is not a
// collector but shares their parsing), and statvfs() on the root filesystem. cpu_usage is the busy share over the last interval: since the most recent earlier
// sample that is at least kMinCpuInterval old (since boot when there is none yet), so that two
// requests a few milliseconds apart do not report jiffy noise. The samples are kept under a mutex:
// Build() is thread-safe.
// Sizes in "gb" are GiB (2^30 bytes). network_latency_ms and temperature_celsius are left out when
// there is nothing to report.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/status.h"
#include "exporter/host_paths.h"
#include "exporter/metrics.h"

namespace buildfarm::exporter {

// Jiffies from the aggregate "cpu" line of /proc/stat, and the number of "cpuN" lines.
struct CpuSample {
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
  unsigned cpus = 0;
};
Result<CpuSample> ParseStatCpu(std::string_view proc_stat);

// MemTotal and MemAvailable (MemFree on kernels without it) from /proc/meminfo, in bytes.
struct MemoryTotals {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;
};
Result<MemoryTotals> ParseMemoryTotals(std::string_view meminfo);

// Busy percent between two samples; with no earlier sample, since boot. Always within 0..100.
double CpuUsagePercent(const std::optional<CpuSample>& previous, const CpuSample& current);

// Mean of buildfarm_probe_last_duration_seconds over targets whose buildfarm_probe_success is 1, in
// milliseconds; nullopt when no probe has succeeded.
std::optional<double> MeanSuccessfulProbeMillis(const Families& latency_families);

// "2026-11-27T00:00:00Z".
std::string Rfc3339Utc(std::chrono::system_clock::time_point time);

struct StatusIdentity {
  std::string server_id;  // the config's node_name
  std::string hostname;
  std::string ip;
};

// gethostname(), or "localhost".
std::string HostName();

// The first non-loopback IPv4 address of this host, or 127.0.0.1.
std::string PrimaryIpv4();

class StatusDocumentBuilder {
 public:
  StatusDocumentBuilder(HostPaths paths, StatusIdentity identity)
      : paths_(std::move(paths)), identity_(std::move(identity)) {}

  // The JSON text, or an error naming the file that could not be read or parsed. `now` stamps the
  // document and times the CPU interval.
  Result<std::string> Build(std::optional<double> network_latency_ms,
                            std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

 private:
  std::optional<double> MaxTemperatureCelsius() const;

  const HostPaths paths_;
  const StatusIdentity identity_;
  struct TimedSample {
    CpuSample sample;
    std::chrono::system_clock::time_point time;
  };
  static constexpr std::chrono::seconds kMinCpuInterval{1};

  Mutex mutex_;
  std::optional<TimedSample> baseline_cpu_ GUARDED_BY(mutex_);  // what cpu_usage is measured from
  std::optional<TimedSample> latest_cpu_ GUARDED_BY(mutex_);    // becomes the baseline once it is old enough
};

}  // namespace buildfarm::exporter
