// In-flight accounting: the load a job is expected to add to its node, counted from binding until metrics
// sampled after the binding show it. Without this, a burst of jobs scheduled between two metric samples all
// land on whichever node looked idle.
//
// A job's expected load is its cores divided by the node's cores (a utilisation ratio), using the
// profile's default cores when the job names none. The InFlightLoad Reserve plugin records each binding
// here; at the start of every cycle the scheduler calls Apply, which drops records older than the node's
// metrics sample and writes the remaining sum into NodeView::in_flight_load.
//
// Thread safety: all methods lock an internal mutex, so the metrics thread and the scheduling thread may
// share one tracker.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "scheduler/framework/types.h"

namespace buildfarm::scheduler {

// Utilisation ratio (0..1 of the node's cores) the job is expected to add to `node`. Inline: the load
// scores call it for every node of every decision.
inline double ExpectedJobLoad(const JobView& job, const NodeView& node, double default_job_cores) {
  if (node.capacity.cores <= 0) return 0;
  const double cores = job.requirements.cores > 0 ? job.requirements.cores : default_job_cores;
  return cores / node.capacity.cores;
}

class InFlightTracker {
 public:
  // `settle_seconds` keeps a record until metrics sampled at least that long after the binding arrive,
  // for metrics averaged over a window (a rate over 1m shows a new job only gradually). 0 = drop on the
  // first newer sample.
  explicit InFlightTracker(double settle_seconds = 0) : settle_seconds_(settle_seconds) {}

  // Records (or replaces) the expected load of `job_id` on `node`, bound at `bound_at`.
  void Record(std::string_view node, std::string_view job_id, double load, Time bound_at);
  // Removes the record of `job_id` on `node` (the binding was undone, or the job finished).
  void Forget(std::string_view node, std::string_view job_id);
  // Removes every record of `node` (it was deleted or went down and its jobs were requeued).
  void ForgetNode(std::string_view node);

  // Drops records that the nodes' metrics already reflect, then sets each node's in_flight_load. Nodes
  // without metrics keep all their records.
  void Apply(std::span<NodeView> nodes);

  double LoadOn(std::string_view node) const;
  std::size_t RecordCount() const;

 private:
  struct Entry {
    std::string job_id;
    double load = 0;
    Time bound_at{};
  };

  const double settle_seconds_;
  mutable Mutex mu_;
  std::unordered_map<std::string, std::vector<Entry>> by_node_ GUARDED_BY(mu_);
};

}  // namespace buildfarm::scheduler
