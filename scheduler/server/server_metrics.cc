#include "scheduler/server/server_metrics.h"

#include "common/prometheus_text.h"

namespace buildfarm::scheduler {
namespace {

const prometheus::Histogram::BucketBoundaries kWaitBuckets{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
const prometheus::Histogram::BucketBoundaries kCycleBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                            0.05,   0.1,   0.25,   0.5,   1,    2.5};
const prometheus::Histogram::BucketBoundaries kJobBuckets{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};

}  // namespace

ServerMetrics::ServerMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  jobs_ = &prometheus::BuildGauge().Name("buildfarm_scheduler_jobs").Help("Jobs in the store by status.").Register(*registry_);
  nodes_ = &prometheus::BuildGauge().Name("buildfarm_scheduler_nodes").Help("Known nodes by state.").Register(*registry_);
  queue_wait_ = &prometheus::BuildHistogram()
                     .Name("buildfarm_scheduler_queue_wait_seconds")
                     .Help("Time from submission to (each) assignment.")
                     .Register(*registry_)
                     .Add({}, kWaitBuckets);
  cycle_duration_ = &prometheus::BuildHistogram()
                         .Name("buildfarm_scheduler_cycle_duration_seconds")
                         .Help("Duration of one scheduling cycle.")
                         .Register(*registry_)
                         .Add({}, kCycleBuckets);
  decisions_ = &prometheus::BuildCounter()
                    .Name("buildfarm_scheduler_decisions_total")
                    .Help("Scheduling decisions by result (bound, unschedulable, error).")
                    .Register(*registry_);
  completed_ = &prometheus::BuildCounter()
                    .Name("buildfarm_jobs_completed_total")
                    .Help("Attempts reported finished, by node and result (completed, failed).")
                    .Register(*registry_);
  job_duration_ = &prometheus::BuildHistogram()
                       .Name("buildfarm_job_duration_seconds")
                       .Help("Reported job run time by node.")
                       .Register(*registry_);
  failures_by_branch_ = &prometheus::BuildCounter()
                            .Name("buildfarm_job_failures_by_branch_total")
                            .Help("Failed attempts by the job's branch. Bounded: the first 100 branches seen get "
                                  "their own label, later ones count under branch=\"other\" (jobs without a "
                                  "branch under \"none\").")
                            .Register(*registry_);
  node_running_jobs_ = &prometheus::BuildGauge()
                            .Name("buildfarm_scheduler_node_running_jobs")
                            .Help("Attempts assigned to or running on the node.")
                            .Register(*registry_);
  failovers_ = &prometheus::BuildCounter()
                    .Name("buildfarm_scheduler_failovers_total")
                    .Help("Nodes whose work was failed over, by reason.")
                    .Register(*registry_);
  source_ok_ = &prometheus::BuildGauge()
                    .Name("buildfarm_scheduler_metrics_query_success")
                    .Help("Whether the last refresh of node metrics from Prometheus succeeded.")
                    .Register(*registry_)
                    .Add({});
  source_age_ = &prometheus::BuildGauge()
                     .Name("buildfarm_scheduler_metrics_snapshot_age_seconds")
                     .Help("Age of the node-metrics snapshot the scheduler decides with (NaN before the first).")
                     .Register(*registry_)
                     .Add({});
  alerts_received_ = &prometheus::BuildCounter()
                          .Name("buildfarm_scheduler_alerts_received_total")
                          .Help("Alerts received on the Alertmanager webhook, by status.")
                          .Register(*registry_);
  alerts_unknown_node_ = &prometheus::BuildCounter()
                              .Name("buildfarm_scheduler_alerts_unknown_node_total")
                              .Help("Failover alerts whose node label names no known node.")
                              .Register(*registry_)
                              .Add({});
  alerts_not_allowed_ = &prometheus::BuildCounter()
                             .Name("buildfarm_scheduler_alerts_not_allowed_total")
                             .Help("Alerts labelled action=failover whose name is not in failover.alerts (ignored).")
                             .Register(*registry_)
                             .Add({});
  alerts_merged_ = &prometheus::BuildCounter()
                       .Name("buildfarm_scheduler_alerts_merged_total")
                       .Help("Firing alerts for a node already cordoned by a failover, merged into that failover.")
                       .Register(*registry_)
                       .Add({});
  node_heartbeat_ = &prometheus::BuildGauge()
                         .Name("buildfarm_scheduler_node_last_heartbeat_timestamp_seconds")
                         .Help("Unix time of the node's last accepted heartbeat.")
                         .Register(*registry_);
  node_state_ = &prometheus::BuildGauge()
                     .Name("buildfarm_scheduler_node_state")
                     .Help("1 for the node's current state (ready, cordoned, draining, down), 0 for the others.")
                     .Register(*registry_);
  oldest_queued_ = &prometheus::BuildGauge()
                        .Name("buildfarm_scheduler_oldest_queued_job_age_seconds")
                        .Help("Age of the oldest queued job (0 when none is queued).")
                        .Register(*registry_)
                        .Add({});
  for (const char* result : {"bound", "unschedulable", "error"}) decisions_->Add({{"result", result}});
  for (const char* reason : {"lease", "manual"}) failovers_->Add({{"reason", reason}});
  for (const char* status : {"firing", "resolved"}) alerts_received_->Add({{"status", status}});
  for (const char* branch : {kOtherBranch, kNoBranch}) failures_by_branch_->Add({{"branch", branch}});
}

void ServerMetrics::TrackNode(const std::string& node) {
  for (const char* result : {"completed", "failed"}) completed_->Add({{"node", node}, {"result", result}});
  job_duration_->Add({{"node", node}}, kJobBuckets);
}

std::string ServerMetrics::TrackBranch(const std::string& branch) {
  std::string label = branch;
  if (branch.empty()) {
    label = kNoBranch;
  } else {
    MutexLock lock(branches_mu_);
    if (!branches_.count(branch)) {
      if (branches_.size() < kMaxBranchLabels) {
        branches_.insert(branch);
      } else {
        label = kOtherBranch;
      }
    }
  }
  failures_by_branch_->Add({{"branch", label}});
  return label;
}

void ServerMetrics::SetNode(const std::string& node, double last_heartbeat, const std::string& state,
                            int running_jobs) {
  TrackNode(node);
  node_running_jobs_->Add({{"node", node}}).Set(running_jobs);
  node_heartbeat_->Add({{"node", node}}).Set(last_heartbeat);
  for (const char* s : {"ready", "cordoned", "draining", "down"}) {
    node_state_->Add({{"node", node}, {"state", s}}).Set(state == s ? 1 : 0);
  }
}

void ServerMetrics::CountCompletion(const std::string& node, const std::string& branch, const std::string& result,
                                    double duration_seconds) {
  completed_->Add({{"node", node}, {"result", result}}).Increment();
  if (result == "failed") failures_by_branch_->Add({{"branch", TrackBranch(branch)}}).Increment();
  job_duration_->Add({{"node", node}}, kJobBuckets).Observe(duration_seconds);
}

std::string ServerMetrics::Render() const { return SerializePrometheusText(registry_->Collect()); }

}  // namespace buildfarm::scheduler
