// PublishChild: runs `buildfarm-exporter-publish --serve-parent` beside the exporter when the config has
// `publish:`, so that the scrape-serving process never maps libgit2 (issue 12).
//
// The child gets one end of a socketpair as fd 3 (publish_frame.h). Each round it asks for the status
// document, which this side builds with the exporter's DocumentFunction (so network_latency_ms still
// comes from the latency collector), and after the round it sends its buildfarm_publish_* metrics text,
// which metrics_text() returns for /metrics until the next one arrives.
//
// Lifetime: the child dies with the exporter (PR_SET_PDEATHSIG, and EOF on its socket). Stop() sends it
// SIGTERM, waits up to stop_timeout_seconds, then SIGKILLs it. When the child exits, breaks the protocol
// or sends a bad frame, the reason is logged, the child is stopped and started again after a backoff
// (initial_backoff_seconds, doubled up to max_backoff_seconds, back to the start once a child has sent
// its metrics); restarts are counted in buildfarm_exporter_publish_restarts_total.
//
// Thread safety: one supervisor thread forks the children (PR_SET_PDEATHSIG fires when the forking
// thread ends, and this thread outlives them) and talks to them. Start/Stop are for the owning thread;
// metrics_text, restarts, child_pid and AddMetrics may be called from any thread. DocumentFunction
// runs on the supervisor thread and must be thread-safe with respect to the exporter's own calls.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/mutex.h"
#include "common/status.h"
#include "exporter/metrics.h"

namespace buildfarm::exporter {

class FrameChannel;

struct PublishChildOptions {
  std::vector<std::string> argv;  // the child's program (an absolute path) and arguments
  double initial_backoff_seconds = 1;
  double max_backoff_seconds = 60;
  double stop_timeout_seconds = 5;
  // How long Start waits for the first child to report in (its first metrics frame).
  double ready_timeout_seconds = 30;
};

class PublishChild {
 public:
  using DocumentFunction = std::function<Result<std::string>()>;

  PublishChild(PublishChildOptions options, DocumentFunction document, const Logger& log);
  ~PublishChild();
  PublishChild(const PublishChild&) = delete;
  PublishChild& operator=(const PublishChild&) = delete;

  // Starts the supervisor and waits until the first child has sent its metrics. An error when that
  // child exits first (e.g. a publish: setting it cannot use: its own log line says which) or does not
  // report in within ready_timeout_seconds; the supervisor is stopped again then.
  Status Start();
  void Stop();

  // The latest metrics text the child sent that passed CheckPublishMetricsText ("" before the first).
  std::string metrics_text() const;
  std::uint64_t restarts() const;
  pid_t child_pid() const;  // 0 while no child runs
  // buildfarm_exporter_publish_restarts_total.
  void AddMetrics(Families& out) const;

 private:
  enum class Phase { kStarting, kReady, kFailedToStart, kStopping };
  struct Spawned {
    pid_t pid = 0;
    int parent_fd = -1;
  };

  void Supervise();
  Result<Spawned> Spawn();
  // Serves one child until it breaks (returns why) or Stop is called.
  Status Serve(FrameChannel& channel);
  // SIGTERM, bounded wait, SIGKILL; reaps the child and describes how it ended.
  std::string StopProcess(pid_t pid);
  bool Stopping() const;
  void MarkReady();
  // Sleeps `seconds` unless Stop comes first.
  void Backoff(double seconds);

  const PublishChildOptions options_;
  const DocumentFunction document_;
  const Logger& log_;
  int stop_pipe_[2] = {-1, -1};  // Stop writes a byte: wakes the supervisor out of poll()
  std::thread supervisor_;
  bool child_reported_ = false;  // the current child sent metrics; supervisor thread only

  mutable Mutex mutex_;
  Phase phase_ GUARDED_BY(mutex_) = Phase::kStarting;
  std::string start_failure_ GUARDED_BY(mutex_);
  std::string metrics_text_ GUARDED_BY(mutex_);
  std::uint64_t restarts_ GUARDED_BY(mutex_) = 0;
  pid_t child_pid_ GUARDED_BY(mutex_) = 0;
  std::condition_variable phase_changed_;
};

}  // namespace buildfarm::exporter
