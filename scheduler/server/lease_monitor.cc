#include "scheduler/server/lease_monitor.h"

#include <algorithm>
#include <chrono>

#include "scheduler/server/service.h"

namespace buildfarm::scheduler {

LeaseMonitor::LeaseMonitor(const SchedulerConfig& config, Database& database, NodeStore& nodes, Failover& failover,
                           const Logger& log, std::function<void()> wake)
    : config_(config), database_(database), nodes_(nodes), failover_(failover), log_(log), wake_(std::move(wake)) {}

// Several checks per lease, so a node is failed over soon after its lease runs out.
void LeaseMonitor::Start() {
  task_.Start(std::chrono::duration<double>(std::clamp(config_.lease_seconds / 5, 0.05, 1.0)),
              [this] { CheckLeases(NowSeconds()); });
}

void LeaseMonitor::Stop() { task_.Stop(); }

std::vector<std::string> LeaseMonitor::CheckLeases(double now) {
  std::vector<std::string> lost;
  for (const NodeRecord& node : nodes_.List()) {
    if (node.down || now - node.last_heartbeat <= config_.lease_seconds) continue;
    // Down mark, requeue and record commit together; on failure the node stays up, to be retried.
    bool marked = false;
    Status failed_over = database_.RunInTransaction([&]() -> Status {
      marked = nodes_.MarkDown(node.name, now);
      if (!marked) return Status::Ok();
      if (audit_ != nullptr) {
        const std::string detail = "no heartbeat for " + std::to_string(static_cast<long long>(now - node.last_heartbeat)) + "s";
        BUILDFARM_RETURN_IF_ERROR(audit_->AppendAutomatic("lease-expired", node.name, detail, now).status());
      }
      return failover_.FailOver(node.name, "lease", "", /*cordon=*/false, now).status();
    });
    if (!failed_over.ok()) {
      log_.Error("cannot fail over a down node", {{"node", node.name}, {"err", failed_over.ToString()}});
      continue;
    }
    if (marked) lost.push_back(node.name);
  }
  if (!lost.empty()) wake_();
  return lost;
}

}  // namespace buildfarm::scheduler
