// Collector: one self-contained source of metrics (cpu, meminfo, filesystem, ...).
//
// A collector reads the host only through HostPaths, hands the text to a pure parser, and appends
// metric families. Collect() is called concurrently by simultaneous scrapes, so implementations must
// be thread-safe; most keep no mutable state at all. A failing Collect() returns a non-OK Status: the
// scrape drops whatever it appended, reports node_scrape_collector_success 0 for it, and serves the
// rest. Return a kNotFound status when the host simply lacks the source (no hwmon chips): it is
// logged at debug level only, as node_exporter treats "no data". Collect() must not block for long: anything that can hang (statfs, network) runs elsewhere
// with a timeout.
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"
#include "exporter/metrics.h"

namespace buildfarm::exporter {

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string_view name() const = 0;
  virtual Status Collect(Families& out) = 0;
};

}  // namespace buildfarm::exporter
