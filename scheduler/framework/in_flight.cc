#include "scheduler/framework/in_flight.h"

#include <algorithm>

namespace buildfarm::scheduler {

void InFlightTracker::Record(std::string_view node, std::string_view job_id, double load, Time bound_at) {
  MutexLock lock(mu_);
  std::vector<Entry>& entries = by_node_[std::string(node)];
  for (Entry& entry : entries) {
    if (entry.job_id == job_id) {
      entry.load = load;
      entry.bound_at = bound_at;
      return;
    }
  }
  entries.push_back({std::string(job_id), load, bound_at});
}

void InFlightTracker::Forget(std::string_view node, std::string_view job_id) {
  MutexLock lock(mu_);
  auto it = by_node_.find(std::string(node));
  if (it == by_node_.end()) return;
  std::erase_if(it->second, [&](const Entry& e) { return e.job_id == job_id; });
  if (it->second.empty()) by_node_.erase(it);
}

void InFlightTracker::ForgetNode(std::string_view node) {
  MutexLock lock(mu_);
  by_node_.erase(std::string(node));
}

void InFlightTracker::Apply(std::span<NodeView> nodes) {
  MutexLock lock(mu_);
  const auto settle = std::chrono::duration_cast<Clock::duration>(Seconds(settle_seconds_));
  for (NodeView& node : nodes) {
    node.in_flight_load = 0;
    auto it = by_node_.find(node.name);
    if (it == by_node_.end()) continue;
    if (node.metrics) {
      const Time sampled = node.metrics->sample_time;
      std::erase_if(it->second, [&](const Entry& e) { return sampled > e.bound_at + settle; });
    }
    for (const Entry& entry : it->second) node.in_flight_load += entry.load;
    if (it->second.empty()) by_node_.erase(it);
  }
}

double InFlightTracker::LoadOn(std::string_view node) const {
  MutexLock lock(mu_);
  auto it = by_node_.find(std::string(node));
  double load = 0;
  if (it != by_node_.end()) {
    for (const Entry& entry : it->second) load += entry.load;
  }
  return load;
}

std::size_t InFlightTracker::RecordCount() const {
  MutexLock lock(mu_);
  std::size_t count = 0;
  for (const auto& [node, entries] : by_node_) count += entries.size();
  return count;
}

}  // namespace buildfarm::scheduler
