// Prober: runs the configured latency probes (TCP connect, HTTP GET, ICMP echo) in the background.
//
// One thread drives every target in turn, once per interval; each probe is bounded by the timeout,
// so a dead target costs at most one timeout per round and is reported as a failed probe. Results
// (last outcome, last duration, and a histogram of successful durations) are kept under a mutex;
// Snapshot() copies them and never waits for a probe, so the scrape path does not block on the
// network. All public methods are thread-safe.
//
// Stopping: the destructor wakes the thread at once when it sleeps between rounds or waits on a
// TCP/ICMP socket. An HTTP probe in flight is shut down through cpp-httplib's Client::stop(); a
// connect still in progress inside cpp-httplib (and a DNS lookup, which cannot be interrupted)
// finishes within its timeout.
//
// ICMP needs a ping socket (SOCK_DGRAM/IPPROTO_ICMP, allowed by net.ipv4.ping_group_range) or a raw
// socket (CAP_NET_RAW). When neither can be opened, the reason is logged once and ICMP probes fail.
// ICMP probes are IPv4 only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/mutex.h"
#include "exporter/config.h"

namespace httplib {
class Client;
}

namespace buildfarm::exporter {

// Upper bounds of buildfarm_probe_duration_seconds, without +Inf.
const std::vector<double>& ProbeDurationBuckets();

struct ProbeOutcome {
  bool success = false;
  double duration_seconds = 0;
  std::string error;  // why it failed; empty on success
};

struct ProbeTargetState {
  std::string name;
  ProbeKind kind = ProbeKind::kTcp;
  bool has_result = false;  // false until the first probe of this target has finished
  ProbeOutcome last;
  // Histogram of successful probe durations: per-bucket (non-cumulative) counts, one more than
  // ProbeDurationBuckets() for +Inf.
  std::vector<std::uint64_t> bucket_counts;
  std::uint64_t count = 0;
  double sum = 0;
};

class Prober {
 public:
  // Starts the background thread at once (the first round begins immediately). `log` must outlive
  // the prober.
  Prober(ProbeSettings settings, const Logger& log);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // A copy of every target's state, in configuration order.
  std::vector<ProbeTargetState> Snapshot() const;

  // Blocks until `rounds` full rounds have completed or the timeout passes; true when they have.
  // For tests and for callers that want a first result.
  bool WaitForRounds(std::uint64_t rounds, double timeout_seconds) const;

 private:
  void Run();
  ProbeOutcome ProbeOnce(const ProbeTarget& target);
  ProbeOutcome ProbeTcp(const ProbeTarget& target);
  ProbeOutcome ProbeHttp(const ProbeTarget& target);
  ProbeOutcome ProbeIcmp(const ProbeTarget& target);
  // Waits for `events` on `fd` until the deadline or a stop; 1 ready, 0 timeout, -1 stopped/error.
  int WaitFd(int fd, short events, double deadline_seconds) const;
  void Record(std::size_t index, ProbeOutcome outcome);

  const ProbeSettings settings_;
  const Logger& log_;
  int wake_fd_ = -1;  // eventfd: written once on stop, wakes every poll
  std::atomic<bool> stop_{false};
  std::atomic<bool> icmp_unavailable_logged_{false};
  std::uint16_t icmp_sequence_ = 0;  // prober thread only

  mutable Mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<ProbeTargetState> states_ GUARDED_BY(mutex_);
  std::uint64_t rounds_ GUARDED_BY(mutex_) = 0;
  httplib::Client* active_http_ GUARDED_BY(mutex_) = nullptr;  // the HTTP client in flight, for stop()

  std::thread thread_;
};

}  // namespace buildfarm::exporter
