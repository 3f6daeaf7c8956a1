// Scraper: runs the enabled collectors for one scrape and adds the exporter's self metrics:
// buildfarm_exporter_build_info, node_exporter_build_info (with exporter="buildfarm-exporter", so
// dashboards that select on node_exporter's build info work and can still tell the two apart) and,
// unless switched off, the process_* metrics of exporter/process_metrics.h.
//
// It is a prometheus::Collectable. Collect() takes no lock, so simultaneous scrapes run side by side
// and a slow collector in one scrape holds up no other scrape. Each collector's failure is isolated:
// its families are dropped and node_scrape_collector_success{collector} is 0 for that scrape.
// So Collect() is thread-safe as long as every collector's Collect() is (the Collector contract).
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "exporter/collector.h"
#include "exporter/process_metrics.h"

namespace buildfarm::exporter {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
};

struct SelfMetricsOptions {
  // --web.disable-exporter-metrics turns the process_* metrics off, as in node_exporter.
  bool process_metrics = true;
  ProcessMetricsSource process_source;
};

class Scraper : public prometheus::Collectable {
 public:
  Scraper(std::vector<std::unique_ptr<Collector>> collectors, BuildInfo build_info, const Logger& log,
          SelfMetricsOptions self_metrics = {});

  std::vector<prometheus::MetricFamily> Collect() const override;

  const std::vector<std::unique_ptr<Collector>>& collectors() const { return collectors_; }

 private:
  std::vector<std::unique_ptr<Collector>> collectors_;
  BuildInfo build_info_;
  SelfMetricsOptions self_metrics_;
  const Logger& log_;
};

}  // namespace buildfarm::exporter
