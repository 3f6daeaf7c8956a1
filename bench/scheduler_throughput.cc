// scheduler_throughput: scheduling decisions per second on an in-process synthetic fleet.
//
// Builds 1,000 heterogeneous nodes (8-64 cores, some hot, cordoned, stale or Windows) and 100,000 queued
// jobs (priorities 1-10, 1-8 cores, some with selectors and profiles), then runs scheduling cycles of
// --batch jobs with the default profile plus LatencyAware until every job has had one decision. Between
// cycles the previous cycle's jobs are taken to have finished: the snapshot is rebuilt from the base fleet
// with fresh metrics (snapshot building is outside the timed region; sorting the remaining queue is inside).
// Prints decisions/s over the summed cycle time and the p50/p99 cycle time. Single-threaded.
//
// Usage: scheduler_throughput [--nodes N] [--jobs N] [--batch N] [--seed N] [--percentage P]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "scheduler/framework/in_flight.h"
#include "scheduler/framework/scheduler.h"
#include "scheduler/plugins/registry.h"

namespace bs = buildfarm::scheduler;

namespace {

constexpr std::int64_t kGiB = 1LL << 30;

struct Options {
  std::size_t nodes = 1000;
  std::size_t jobs = 100000;
  std::size_t batch = 1000;
  std::uint64_t seed = 1;
  int percentage = 0;  // percentageOfNodesToScore; 0 = adaptive (42% at 1,000 nodes), 100 = every node
};

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::uint64_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--nodes") == 0) options.nodes = value;
    else if (std::strcmp(argv[i], "--jobs") == 0) options.jobs = value;
    else if (std::strcmp(argv[i], "--batch") == 0) options.batch = std::max<std::uint64_t>(1, value);
    else if (std::strcmp(argv[i], "--seed") == 0) options.seed = value;
    else if (std::strcmp(argv[i], "--percentage") == 0) options.percentage = static_cast<int>(std::min<std::uint64_t>(value, 100));
    else {
      std::fprintf(stderr, "usage: %s [--nodes N] [--jobs N] [--batch N] [--seed N] [--percentage P]\n", argv[0]);
      std::exit(2);
    }
  }
  return options;
}

std::vector<bs::NodeView> MakeFleet(std::size_t count, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  static constexpr double kCores[] = {8, 16, 32, 64};
  std::vector<bs::NodeView> fleet(count);
  for (std::size_t i = 0; i < count; ++i) {
    bs::NodeView& node = fleet[i];
    node.name = "node-" + std::to_string(i);
    const bool windows = unit(rng) < 0.1;
    node.labels = {{"os", windows ? "windows" : "linux"}, {"rack", "r" + std::to_string(i % 40)}};
    node.profiles = windows ? std::vector<std::string>{"msvc"} : std::vector<std::string>{"gcc", "clang"};
    node.capacity.cores = kCores[rng() % 4];
    node.capacity.memory_bytes = static_cast<std::int64_t>(node.capacity.cores) * 4 * kGiB;
    node.state = unit(rng) < 0.02 ? bs::NodeState::kCordoned : bs::NodeState::kReady;
    bs::NodeMetrics metrics;
    metrics.cpu_utilisation = unit(rng) * 0.9;
    metrics.memory_available_bytes = static_cast<std::int64_t>(unit(rng) * node.capacity.memory_bytes);
    metrics.build_fs_available_bytes = static_cast<std::int64_t>((2 + unit(rng) * 500) * kGiB);
    metrics.max_temperature_celsius = 40 + unit(rng) * 55;
    metrics.probe_rtt_seconds["git"] = 0.001 + unit(rng) * 0.08;
    node.metrics = metrics;
  }
  return fleet;
}

std::vector<bs::JobView> MakeQueue(std::size_t count, bs::Time now, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  static constexpr const char* kTypes[] = {"full", "incremental", "package", "test"};
  std::vector<bs::JobView> queue(count);
  for (std::size_t i = 0; i < count; ++i) {
    bs::JobView& job = queue[i];
    job.id = "job-" + std::to_string(i);
    job.priority = 1 + static_cast<int>(rng() % 10);
    job.created = now - std::chrono::milliseconds(rng() % 3'600'000);
    job.requirements.cores = static_cast<double>(1 + rng() % 8);
    job.requirements.memory_bytes = static_cast<std::int64_t>(1 + rng() % 8) * kGiB;
    job.build_type = kTypes[rng() % 4];
    const double kind = unit(rng);
    if (kind < 0.3) {
      job.selector["os"] = "linux";
      job.profiles = {"gcc"};
    } else if (kind < 0.35) {
      job.selector["os"] = "windows";
      job.profiles = {"msvc"};
    }
  }
  return queue;
}

// CPU time of this thread: on a shared 2-core machine wall time also counts other processes' turns.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t index = std::min(values.size() - 1, static_cast<std::size_t>(p * (values.size() - 1) + 0.5));
  return values[index];
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  const bs::Registry registry = bs::plugins::BuiltinRegistry();
  const std::string config = "profiles:\n  - percentageOfNodesToScore: " + std::to_string(options.percentage) +
                             "\n    pluginConfig:\n      - name: LatencyAware\n        args: {target: git}\n";
  auto profiles = bs::LoadProfiles(config, "bench", registry);
  if (!profiles.ok()) {
    std::fprintf(stderr, "%s\n", profiles.status().ToString().c_str());
    return 1;
  }
  const bs::Profile& profile = (*profiles)[0];

  std::mt19937_64 rng(options.seed);
  bs::Time now = bs::Time(std::chrono::seconds(1'800'000'000));
  const std::vector<bs::NodeView> fleet = MakeFleet(options.nodes, rng);
  std::vector<bs::JobView> queue = MakeQueue(options.jobs, now, rng);

  bs::InFlightTracker tracker;
  bs::Scheduler scheduler(profile, {.seed = options.seed, .in_flight = &tracker});
  std::vector<double> cycle_seconds;
  double cpu_seconds = 0;
  std::size_t bound = 0, unschedulable = 0, errors = 0;
  while (!queue.empty()) {
    std::vector<bs::NodeView> snapshot = fleet;  // the previous batch finished; metrics are fresh again
    for (std::size_t i = 0; i < snapshot.size(); ++i) {
      // 1 in 97 nodes has stopped heartbeating; 1 in 50 has stale metrics.
      snapshot[i].last_heartbeat = now - std::chrono::seconds(i % 97 == 0 ? 60 : 2);
      snapshot[i].metrics->sample_time = now - std::chrono::seconds(i % 50 == 0 ? 300 : 5);
    }
    const double cpu_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    bs::CycleResult result = scheduler.RunCycle(snapshot, queue, now, options.batch);
    const auto stop = std::chrono::steady_clock::now();
    cpu_seconds += ThreadCpuSeconds() - cpu_start;
    cycle_seconds.push_back(std::chrono::duration<double>(stop - start).count());
    bound += result.bound;
    unschedulable += result.unschedulable;
    errors += result.errors;

    std::unordered_set<std::string> decided;
    for (const bs::Decision& d : result.decisions) decided.insert(d.job_id);
    std::erase_if(queue, [&](const bs::JobView& job) { return decided.count(job.id) != 0; });
    now += std::chrono::seconds(1);
  }

  double total = 0;
  for (double s : cycle_seconds) total += s;
  const std::size_t decisions = bound + unschedulable + errors;
  std::printf("nodes=%zu jobs=%zu batch=%zu percentage_of_nodes_to_score=%d cycles=%zu\n", options.nodes,
              options.jobs, options.batch, options.percentage, cycle_seconds.size());
  std::printf("decisions=%zu bound=%zu unschedulable=%zu errors=%zu\n", decisions, bound, unschedulable, errors);
  std::printf("decisions_per_second=%.0f (wall) %.0f (thread cpu)\n",
              total > 0 ? static_cast<double>(decisions) / total : 0.0,
              cpu_seconds > 0 ? static_cast<double>(decisions) / cpu_seconds : 0.0);
  std::printf("cycle_seconds_p50=%.4f cycle_seconds_p99=%.4f cycle_seconds_max=%.4f\n",
              Percentile(cycle_seconds, 0.5), Percentile(cycle_seconds, 0.99), Percentile(cycle_seconds, 1.0));
  std::printf("per_decision_microseconds_mean=%.1f\n", decisions > 0 ? total * 1e6 / static_cast<double>(decisions) : 0.0);
  return errors == 0 ? 0 : 1;
}
