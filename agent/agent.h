// Agent: the buildfarm-agent's protocol loop (docs/api.md, "Agent protocol").
//
// Threads, all started by Start() and joined by Stop():
// - control: registers (again after a 404 on heartbeat), then heartbeats every interval with the
//   attempts it owns (running, or finished with the result not yet delivered) and kills the
//   attempts the scheduler lists as superseded;
// - poll: long-polls for assignments and starts one job thread per new attempt;
// - job (one per attempt): POST start (409 drops it; a 404 or other permanent refusal spools a
//   failed result, exit code -1, and the attempt is never started again), runs the command (runner.h) in
//   <workspace>/<job>-<attempt>/ with its log in <workspace>/<job>-<attempt>.log, as the identity the
//   JobIdentityPool hands out and in a cgroup of its own under the job cgroup root, streams new log
//   bytes in chunks while it runs, and spools the result;
// - retention (PeriodicTask): deletes finished attempts' workspaces and logs (workspace_retention.h);
// - delivery: sends spooled results; 200 or 409 removes them (exactly once, fenced by the
//   scheduler), anything else is retried.
// While the scheduler is unreachable every loop retries with exponential backoff and jitter, capped
// at `backoff_max_seconds`. Results live in memory and in <workspace>/results-spool.json, so an
// agent that restarts delivers them.
//
// Stop() (SIGTERM) stops polling and KILLS the running jobs (SIGTERM to each job's process group and
// cgroup, SIGKILL after the grace period) without reporting them: the scheduler's lease requeues those attempts on a
// healthy node, which is safer than leaving unsupervised processes behind. Results already
// spooled stay on disk and are delivered by the next start.
//
// Public methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/mutex.h"
#include "common/status.h"
#include "agent/job_cgroup.h"
#include "agent/job_identity.h"
#include "agent/protocol_client.h"
#include "agent/spool.h"
#include "agent/workspace_retention.h"
#include "common/periodic_task.h"

namespace buildfarm::agent {

struct AgentOptions {
  std::string scheduler_url;
  std::string token;          // may be empty when the scheduler knows this node by its client certificate
  TlsClientOptions scheduler_tls;  // for an https:// scheduler_url
  NodeRegistration node;  // name, labels, profiles, capacity
  std::string workspace;
  double heartbeat_seconds = 5;
  double kill_grace_seconds = 10;
  int poll_wait_seconds = 20;
  double backoff_initial_seconds = 0.2;
  double backoff_max_seconds = 10;
  double log_flush_seconds = 0.5;        // how often a running job's new log bytes are sent
  std::size_t log_chunk_bytes = 256 << 10;
  // Job isolation (runner.h): who jobs run as (nullptr: the agent's own user), their umask, their
  // cgroups, and how long their files are kept.
  std::shared_ptr<JobIdentityPool> job_identities;
  mode_t job_umask = 077;
  CgroupMode cgroup_mode = CgroupMode::kAuto;
  std::string cgroup_root;  // empty: under the agent's own cgroup (job_cgroup.h)
  std::string mounts_path = "/proc/self/mounts";
  std::string proc_cgroup_path = "/proc/self/cgroup";
  RetentionPolicy retention;
};

class Agent {
 public:
  Agent(AgentOptions options, const Logger& log);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Creates the workspace, loads the spool (a garbled one is moved aside and logged), prepares the job
  // cgroup root (killing the job cgroups an earlier run left; `required` without a writable cgroup v2
  // is an error) and starts the threads, the retention sweep included. Errors name the workspace,
  // spool path or cgroup.
  Status Start();
  void Stop();

  bool Registered() const { return registered_; }
  // Registered and the last heartbeat was acknowledged: what /readyz reports.
  bool Ready() const { return registered_ && heartbeat_ok_; }
  // Attempts with a live job thread.
  std::vector<AttemptRef> RunningAttempts() const;
  std::string SpoolPath() const;

 private:
  struct Job;
  Result<std::unique_ptr<SchedulerClient>> MakeClient(double read_timeout_seconds = 15);
  bool SleepUnlessStopping(double seconds);
  void ControlLoop();
  void PollLoop();
  void DeliveryLoop();
  void RunJob(const std::shared_ptr<Job>& job);
  // Starts a job thread for a new attempt; false when the attempt is running, finished or refused.
  bool StartJob(const Assignment& assignment);
  void ReapJobThreads(bool all);
  // Sends the job's log bytes from its offset; returns false on a transport error.
  bool ShipLog(SchedulerClient& client, Job& job, bool until_end);
  void KillSuperseded(const std::vector<AttemptRef>& superseded);
  std::vector<AttemptRef> OwnedAttempts() const;
  Status PrepareJobIsolation();
  void SweepRetention();

  AgentOptions options_;
  const Logger& log_;
  std::unique_ptr<ResultSpool> spool_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> registered_{false};
  std::atomic<bool> heartbeat_ok_{false};
  std::atomic<bool> poll_done_{false};
  mutable Mutex mu_;
  std::condition_variable wake_;  // stop, new result to deliver
  bool delivery_pending_ GUARDED_BY(mu_) = false;
  std::map<AttemptRef, std::shared_ptr<Job>> jobs_ GUARDED_BY(mu_);
  // Attempts whose start the scheduler refused for good (reported failed), never started again;
  // cleared when it reaches kMaxRefused, so it stays bounded.
  static constexpr std::size_t kMaxRefused = 1024;
  std::set<AttemptRef> refused_ GUARDED_BY(mu_);
  std::vector<std::thread> finished_threads_ GUARDED_BY(mu_);  // job threads that have returned, to join
  std::map<AttemptRef, std::thread> job_threads_ GUARDED_BY(mu_);
  std::string cgroup_root_;  // set by Start(); empty: jobs get no cgroup
  PeriodicTask retention_task_;
  std::unique_ptr<SchedulerClient> poll_client_;
  std::thread control_thread_, poll_thread_, delivery_thread_;
};

// Exponential backoff with jitter: each Next() doubles the base up to `max`, and returns a random
// value in [base/2, base]. Reset() after a success. Not thread-safe.
class Backoff {
 public:
  Backoff(double initial, double max) : initial_(initial), max_(max), base_(initial) {}
  double Next();
  void Reset() { base_ = initial_; }

 private:
  double initial_, max_, base_;
};

// "<job>-<attempt>", unique per job id and attempt (the workspace directory and log file name): bytes
// outside [A-Za-z0-9.-] (and '_', and a leading '.') become "_XX" in hex, so "col a" and "col_a" get
// col_20a-1 and col_5fa-1; a name over 150 bytes keeps 64 and adds "_h" and a 64-bit hash of the id.
std::string AttemptDirName(const AttemptRef& ref);

}  // namespace buildfarm::agent
