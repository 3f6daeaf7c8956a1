// latency collector: serves the background Prober's latest results for the configured targets.
//
//   buildfarm_probe_duration_seconds{target,kind}       histogram of successful probe durations
//   buildfarm_probe_success{target,kind}                1 when the last probe succeeded, else 0
//   buildfarm_probe_last_duration_seconds{target,kind}  how long the last probe took (failed or not)
//
// `kind` is tcp, http or icmp. A target appears once its first probe has finished. Collect() only
// copies the prober's snapshot under its mutex and never waits for the network, so it is cheap and
// thread-safe. With no targets configured no prober thread is started and nothing is exported.
#pragma once

#include <memory>

#include "exporter/collector_spec.h"
#include "exporter/collectors/prober.h"

namespace buildfarm::exporter {

// Metric families for a prober snapshot (pure; used by the collector and by tests).
Families LatencyFamilies(const std::vector<ProbeTargetState>& states);

// A collector over an existing prober (which it shares); nullptr prober exports nothing.
std::unique_ptr<Collector> MakeLatencyCollector(std::shared_ptr<Prober> prober);

CollectorSpec MakeLatencySpec();

}  // namespace buildfarm::exporter
