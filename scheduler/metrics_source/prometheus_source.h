// PrometheusMetricsSource: the scheduler's MetricsSource backed by Prometheus' HTTP API.
//
// A background thread (Start/Stop) runs every `refresh_seconds`: it sends each configured instant query
// to /api/v1/query, together with timestamp(<query>) so that a node's `sample_time` is the timestamp of
// the oldest sample actually recorded for it (a plain instant query stamps values with the query time,
// which would make data from a dead exporter look fresh for Prometheus' 5 minute lookback). Results are
// grouped by the `node_label` label into a new MetricsSnapshot that replaces the old one in one step.
//
// A refresh is all or nothing: when any query fails (Prometheus down, slower than `timeout_seconds`,
// an HTTP error, a malformed body) the previous snapshot's nodes and fetched_at stay, and only
// last_attempt_at / last_attempt_ok / last_error change. A node is published only when it has CPU,
// memory and build filesystem values; temperature and probes are optional. When one node has several
// series for a value (custom queries), the more cautious one wins: highest CPU, temperature and RTT,
// lowest free memory and disk.
//
// Thread safety: Latest() may be called from any thread and never waits for the network (it copies a
// shared_ptr under a mutex that is only held for pointer swaps). RefreshOnce() and the background thread
// are serialized with each other.
#pragma once

#include <condition_variable>
#include <memory>
#include <string>
#include <thread>

#include "common/http_client.h"
#include "common/log.h"
#include "common/mutex.h"
#include "common/status.h"
#include "scheduler/metrics_source/metrics_source.h"

namespace buildfarm {
class HttpClient;
}

namespace buildfarm::scheduler {

// PromQL per metric; each must return an instant vector with the `node_label` label (probe_rtt also
// with `target`). The defaults read the recording rules in alerting/rules/recording.yml.
struct PrometheusQueries {
  std::string cpu_utilisation = "buildfarm:node_cpu_utilisation:ratio";
  std::string memory_available = "buildfarm:node_memory_available:bytes";
  std::string build_fs_available = "buildfarm:node_build_fs_available:bytes";
  std::string max_temperature = "buildfarm:node_temperature:max_celsius";
  std::string probe_rtt = "buildfarm:probe_rtt:seconds";
};

struct PrometheusSourceOptions {
  std::string url;              // e.g. "http://127.0.0.1:9090" (a path prefix is kept)
  double refresh_seconds = 5;   // time between the starts of two refreshes
  double timeout_seconds = 2;   // per HTTP request (connect and read)
  TlsClientOptions tls;         // for an https:// url: CA file (else the system store), client certificate
  PrometheusQueries queries;
  std::string node_label = "node";
  std::string probe_target_label = "target";
};

class PrometheusMetricsSource final : public MetricsSource {
 public:
  PrometheusMetricsSource(PrometheusSourceOptions options, Logger logger);
  ~PrometheusMetricsSource() override;  // stops the thread
  PrometheusMetricsSource(const PrometheusMetricsSource&) = delete;
  PrometheusMetricsSource& operator=(const PrometheusMetricsSource&) = delete;

  // Starts the background thread, which refreshes at once and then every refresh_seconds.
  // InvalidArgument when the URL is malformed; FailedPrecondition when already started.
  Status Start();
  // Wakes and joins the thread; an HTTP request in progress finishes (bounded by timeout_seconds).
  void Stop();

  // One refresh now, on the caller's thread; returns what the refresh returned (and records it in the
  // snapshot as the background thread would).
  Status RefreshOnce();

  std::shared_ptr<const MetricsSnapshot> Latest() const override;

  const PrometheusSourceOptions& options() const { return options_; }

 private:
  void Run();
  Status RefreshLocked() REQUIRES(refresh_mu_);
  void Publish(std::shared_ptr<const MetricsSnapshot> snapshot) EXCLUDES(snapshot_mu_);

  const PrometheusSourceOptions options_;
  const Logger logger_;

  Mutex refresh_mu_;  // serializes refreshes
  std::unique_ptr<HttpClient> client_ GUARDED_BY(refresh_mu_);

  mutable Mutex snapshot_mu_;  // held only to copy or swap the pointer
  std::shared_ptr<const MetricsSnapshot> snapshot_ GUARDED_BY(snapshot_mu_);

  Mutex run_mu_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(run_mu_) = false;
  std::thread thread_;
};

}  // namespace buildfarm::scheduler
