// The scheduler's own metrics, served on /metrics:
//
//   buildfarm_scheduler_jobs{status}                 gauge, counted in the store at most once per
//                                                    metrics.store_refresh (FarmStatus)
//   buildfarm_scheduler_nodes{state}                 gauge, set from the node table at each scrape
//   buildfarm_scheduler_queue_wait_seconds           histogram, submission to (each) assignment
//   buildfarm_scheduler_cycle_duration_seconds       histogram
//   buildfarm_scheduler_decisions_total{result}      bound, unschedulable, error
//   buildfarm_jobs_completed_total{node,result}      completed, failed
//   buildfarm_job_duration_seconds{node}             histogram of reported durations
//     Both exist at 0 from the moment a node is known (TrackNode), because increase() counts from a
//     series' second sample: a series born at 1 would hide the node's first build.
//   buildfarm_job_failures_by_branch_total{branch}   failed attempts by the job's branch, for the first
//                                                    kMaxBranchLabels branches seen; later ones count under
//                                                    branch="other", jobs without a branch under "none"
//   buildfarm_scheduler_node_running_jobs{node}      attempts assigned to or running on the node
//   buildfarm_scheduler_failovers_total{reason}      nodes whose work was failed over: lease, manual or
//                                                    the alert's name (BuildNodeDown, ...)
//   buildfarm_scheduler_alerts_received_total{status}      webhook alerts by status (firing, resolved)
//   buildfarm_scheduler_alerts_unknown_node_total          failover alerts naming no known node
//   buildfarm_scheduler_alerts_not_allowed_total           action=failover alerts not in failover.alerts
//   buildfarm_scheduler_alerts_merged_total                firing alerts merged into their cordoned node's
//                                                          open failover (no new failover)
//   buildfarm_scheduler_node_last_heartbeat_timestamp_seconds{node}   unix time of the last heartbeat
//   buildfarm_scheduler_node_state{node,state}       1 for the node's state (ready, cordoned, draining,
//                                                    down), 0 for the others
//   buildfarm_scheduler_oldest_queued_job_age_seconds   0 when nothing is queued
//
// Built on prometheus-cpp's Registry (its metrics are thread-safe) and serialized with
// common/prometheus_text.h. Thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/mutex.h"

namespace buildfarm::scheduler {

class ServerMetrics {
 public:
  // Distinct branch label values before the rest fold into "other". Every label value is a series kept
  // for the life of the process (and in Prometheus' TSDB); branches are user input without bound (one per
  // pull request), so an open label would grow without limit.
  static constexpr std::size_t kMaxBranchLabels = 100;
  static constexpr char kOtherBranch[] = "other";
  static constexpr char kNoBranch[] = "none";

  ServerMetrics();

  void ObserveQueueWait(double seconds) { queue_wait_->Observe(seconds); }
  void ObserveCycle(double seconds) { cycle_duration_->Observe(seconds); }
  void CountDecision(const std::string& result) { decisions_->Add({{"result", result}}).Increment(); }
  // Creates the node's completion counters (completed, failed) and duration histogram at 0; idempotent.
  void TrackNode(const std::string& node);
  // Reserves the branch's label (while fewer than kMaxBranchLabels are taken) and creates its failure
  // counter at 0, so that its first failure is seen by increase(). Returns the label used.
  std::string TrackBranch(const std::string& branch);
  // `branch` is the job's branch (not yet a label: it is folded here).
  void CountCompletion(const std::string& node, const std::string& branch, const std::string& result,
                       double duration_seconds);
  void CountFailover(const std::string& reason) { failovers_->Add({{"reason", reason}}).Increment(); }
  void CountAlert(const std::string& status) { alerts_received_->Add({{"status", status}}).Increment(); }
  void CountUnknownNodeAlert() { alerts_unknown_node_->Increment(); }
  void CountDisallowedAlert() { alerts_not_allowed_->Increment(); }
  void CountMergedAlert() { alerts_merged_->Increment(); }
  // Per node: the last heartbeat, the one-hot state and the attempts assigned or running (also tracks it).
  void SetNode(const std::string& node, double last_heartbeat, const std::string& state, int running_jobs);
  void SetOldestQueuedAge(double seconds) { oldest_queued_->Set(seconds); }
  void SetJobs(const std::string& status, double count) { jobs_->Add({{"status", status}}).Set(count); }
  void SetNodes(const std::string& state, double count) { nodes_->Add({{"state", state}}).Set(count); }
  // The metrics source's health: whether its last query worked, and the age of the snapshot in use
  // (NaN before the first successful fetch).
  void SetMetricsSource(bool last_query_ok, double snapshot_age_seconds) {
    source_ok_->Set(last_query_ok ? 1 : 0);
    source_age_->Set(snapshot_age_seconds);
  }

  // The text exposition of every family.
  std::string Render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>* jobs_;
  prometheus::Family<prometheus::Gauge>* nodes_;
  prometheus::Histogram* queue_wait_;
  prometheus::Histogram* cycle_duration_;
  prometheus::Family<prometheus::Counter>* decisions_;
  prometheus::Family<prometheus::Counter>* completed_;
  prometheus::Family<prometheus::Histogram>* job_duration_;
  prometheus::Family<prometheus::Counter>* failures_by_branch_;
  prometheus::Family<prometheus::Gauge>* node_running_jobs_;
  Mutex branches_mu_;
  std::set<std::string> branches_ GUARDED_BY(branches_mu_);  // labels taken, "other" and "none" excluded
  prometheus::Family<prometheus::Counter>* failovers_;
  prometheus::Family<prometheus::Counter>* alerts_received_;
  prometheus::Counter* alerts_unknown_node_;
  prometheus::Counter* alerts_not_allowed_;
  prometheus::Counter* alerts_merged_;
  prometheus::Family<prometheus::Gauge>* node_heartbeat_;
  prometheus::Family<prometheus::Gauge>* node_state_;
  prometheus::Gauge* oldest_queued_;
  prometheus::Gauge* source_ok_;
  prometheus::Gauge* source_age_;
};

}  // namespace buildfarm::scheduler
