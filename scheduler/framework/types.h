// The scheduler's view of the world: nodes, their latest metrics, and jobs waiting to be placed.
//
// These are plain value types. A snapshot of NodeViews is built once per cycle by the caller (from the
// store and the metrics source) and then owned by that cycle; plugins read it and Reserve plugins update
// the chosen node in place, so later jobs in the same cycle see earlier placements. Nothing here is
// synchronized: a snapshot belongs to one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace buildfarm::scheduler {

// Wall-clock instants. Plugins never read the clock: the cycle's `now` is injected through CycleState.
using Clock = std::chrono::system_clock;
using Time = Clock::time_point;
using Seconds = std::chrono::duration<double>;

inline double SecondsBetween(Time earlier, Time later) {
  return std::chrono::duration_cast<Seconds>(later - earlier).count();
}

// Cores may be fractional (0.5 core); bytes are signed so that "capacity minus reservations" may go negative
// without wrapping when a node is over-committed.
struct Resources {
  double cores = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t disk_bytes = 0;

  Resources& operator+=(const Resources& o) {
    cores += o.cores;
    memory_bytes += o.memory_bytes;
    disk_bytes += o.disk_bytes;
    return *this;
  }
  Resources& operator-=(const Resources& o) {
    cores -= o.cores;
    memory_bytes -= o.memory_bytes;
    disk_bytes -= o.disk_bytes;
    return *this;
  }
  bool IsZero() const { return cores == 0 && memory_bytes == 0 && disk_bytes == 0; }
};

enum class NodeState { kReady, kCordoned, kDraining, kDown };
const char* NodeStateName(NodeState state);

// The latest values from Prometheus for one node. `sample_time` is the timestamp of the oldest sample that
// went into these values (not the time of the query), so staleness is judged from the data itself.
struct NodeMetrics {
  Time sample_time{};
  double cpu_utilisation = 0;                  // ratio 0..1 of all cores, averaged over the rule's window
  std::int64_t memory_available_bytes = 0;
  std::int64_t build_fs_available_bytes = 0;   // filesystem holding the build workspaces
  std::optional<double> max_temperature_celsius;  // absent on machines without sensors
  std::map<std::string, double, std::less<>> probe_rtt_seconds;  // probe target name -> round-trip time
};

struct NodeView {
  std::string name;
  std::map<std::string, std::string, std::less<>> labels;
  std::vector<std::string> profiles;
  Resources capacity;
  Resources reservations;        // sum of requirements of jobs assigned to or running on the node
  int running_jobs = 0;          // assigned or running
  NodeState state = NodeState::kReady;
  Time last_heartbeat{};
  std::optional<NodeMetrics> metrics;  // absent until the first sample arrives
  // Utilisation ratio (0..1 of all cores) expected from jobs bound since the metrics were sampled;
  // see InFlightTracker.
  double in_flight_load = 0;
};

struct JobView {
  std::string id;
  int priority = 5;  // 1..10, 10 most urgent
  Time created{};
  Resources requirements;
  std::map<std::string, std::string, std::less<>> selector;  // node labels that must match exactly
  std::vector<std::string> profiles;                         // node must offer every one of these
  std::string build_type;                                    // full, incremental, package or test
};

}  // namespace buildfarm::scheduler
