#include "exporter/scraper.h"


#include <chrono>
#include <iterator>

namespace buildfarm::exporter {

Scraper::Scraper(std::vector<std::unique_ptr<Collector>> collectors, BuildInfo build_info, const Logger& log)
    : collectors_(std::move(collectors)), build_info_(std::move(build_info)), log_(log) {}

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
  for (auto& family : durations_and_success) out.push_back(std::move(family));
  return {std::make_move_iterator(out.begin()), std::make_move_iterator(out.end())};
}

}  // namespace buildfarm::exporter
