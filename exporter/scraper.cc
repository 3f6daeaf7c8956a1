#include "exporter/scraper.h"

#include <chrono>
#include <iterator>

namespace buildfarm::exporter {

namespace {

// node_exporter's goarch label for the architecture this binary was compiled for.
constexpr const char* GoArch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

}  // namespace

Scraper::Scraper(std::vector<std::unique_ptr<Collector>> collectors, BuildInfo build_info, const Logger& log,
                 SelfMetricsOptions self_metrics)
    : collectors_(std::move(collectors)),
      build_info_(std::move(build_info)),
      self_metrics_(std::move(self_metrics)),
      log_(log) {}

std::vector<prometheus::MetricFamily> Scraper::Collect() const {
  Families out;
  Families durations_and_success;
  auto& duration = AddFamily(durations_and_success, "node_scrape_collector_duration_seconds",
                             "node_exporter: Duration of a collector scrape.", kGauge);
  auto& success = AddFamily(durations_and_success, "node_scrape_collector_success",
                            "node_exporter: Whether a collector succeeded.", kGauge);
  for (const auto& collector : collectors_) {
    std::size_t mark = out.size();
    auto start = std::chrono::steady_clock::now();
    Status status = collector->Collect(out);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!status.ok()) {
      out.resize(mark);
      // A source the host simply lacks (no /sys/class/hwmon) is "no data", logged at debug as
      // node_exporter does; anything else is an error on every failing scrape.
      log_.Log(status.code() == StatusCode::kNotFound ? LogLevel::kDebug : LogLevel::kError, "collector failed",
               {{"collector", collector->name()}, {"err", status.ToString()}});
    }
    AddSample(duration, {{"collector", collector->name()}}, seconds);
    AddSample(success, {{"collector", collector->name()}}, status.ok() ? 1 : 0);
  }
  auto& info = AddFamily(out, "buildfarm_exporter_build_info",
                         "A metric with a constant '1' value labeled by version and revision of buildfarm-exporter.",
                         kGauge);
  AddSample(info, {{"revision", build_info_.revision}, {"version", build_info_.version}}, 1);
  // Dashboards (node-mixin's "USE Method / Node") take their instance list from this family. The
  // labels are node_exporter's; goversion says there is no Go runtime, exporter says who we are.
  auto& node_info = AddFamily(out, "node_exporter_build_info",
                              "A metric with a constant '1' value labeled by version, revision, branch, goversion "
                              "from which node_exporter was built, and the goos and goarch for the build.",
                              kGauge);
  AddSample(node_info,
            {{"branch", build_info_.branch},
             {"exporter", "buildfarm-exporter"},
             {"goarch", GoArch()},
             {"goos", "linux"},
             {"goversion", "none"},
             {"revision", build_info_.revision},
             {"version", build_info_.version}},
            1);
  if (self_metrics_.process_metrics) {
    Status process = AppendProcessMetrics(self_metrics_.process_source, out);
    if (!process.ok()) log_.Warn("process metrics incomplete", {{"err", process.ToString()}});
  }
  for (auto& family : durations_and_success) out.push_back(std::move(family));
  return {std::make_move_iterator(out.begin()), std::make_move_iterator(out.end())};
}

}  // namespace buildfarm::exporter
