// Scraper: runs the enabled collectors for one scrape and adds the exporter's self metrics.
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

namespace buildfarm::exporter {

struct BuildInfo {
  std::string version;
  std::string revision;
};

class Scraper : public prometheus::Collectable {
 public:
  Scraper(std::vector<std::unique_ptr<Collector>> collectors, BuildInfo build_info, const Logger& log);

  std::vector<prometheus::MetricFamily> Collect() const override;

  const std::vector<std::unique_ptr<Collector>>& collectors() const { return collectors_; }

 private:
  std::vector<std::unique_ptr<Collector>> collectors_;
  BuildInfo build_info_;
  const Logger& log_;
};


}  // namespace buildfarm::exporter
