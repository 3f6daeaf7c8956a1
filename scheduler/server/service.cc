// SchedulerService: the scheduling loop, snapshots and explain.
#include "scheduler/server/service.h"

#include <algorithm>
#include <chrono>

namespace buildfarm::scheduler {

double NowSeconds() { return ToUnix(Clock::now()); }
Time ToTime(double unix_seconds) {
  return Time(std::chrono::duration_cast<Clock::duration>(Seconds(unix_seconds)));
}
double ToUnix(Time time) { return std::chrono::duration_cast<Seconds>(time.time_since_epoch()).count(); }

JobView ToJobView(const Job& job) {
  JobView view;
  view.id = job.spec.id;
  view.priority = job.spec.priority;
  view.created = ToTime(job.created_at);
  view.requirements.cores = job.spec.requirements.cores;
  view.requirements.memory_bytes = job.spec.requirements.memory_bytes;
  view.requirements.disk_bytes = job.spec.requirements.disk_bytes;
  for (const auto& [k, v] : job.spec.selector) view.selector.emplace(k, v);
  view.profiles = job.spec.profiles;
  view.build_type = job.spec.build_type;
  return view;
}

class SchedulerService::StoreBinder final : public Binder {
 public:
  explicit StoreBinder(JobStore& jobs) : jobs_(jobs) {}
  Status Bind(const JobView& job, const NodeView& node, Time now) override {
    return jobs_.Assign(job.id, node.name, ToUnix(now)).status();
  }

 private:
  JobStore& jobs_;
};

SchedulerService::SchedulerService(const SchedulerConfig& config, Database& database, JobStore& jobs,
                                   NodeStore& nodes, FailoverStore& failovers, std::shared_ptr<MetricsSource> metrics_source, const Profile& profile,
                                   const Logger& log)
    : config_(config),
      database_(database),
      jobs_(jobs),
      nodes_(nodes),
      metrics_source_(metrics_source),
      profile_(profile),
      log_(log),
      binder_(std::make_unique<StoreBinder>(jobs)),
      failover_(FailoverDeps{config, database, jobs, nodes, failovers, metrics_source, metrics_, in_flight_, log,
                             [this] { Wake(); }}),
      lease_monitor_(config, database, nodes, failover_, log, [this] { Wake(); }),
      status_(config, database, jobs, nodes, std::move(metrics_source), metrics_) {
  SchedulerOptions options;
  options.seed = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  options.in_flight = &in_flight_;
  options.binder = binder_.get();
  scheduler_ = std::make_unique<Scheduler>(profile_, options);
}

SchedulerService::~SchedulerService() { Stop(); }

void SchedulerService::Start() {
  loop_thread_ = std::thread([this] { Loop(); });
  lease_monitor_.Start();
}

void SchedulerService::Stop() {
  stopping_.store(true);
  {
    MutexLock lock(wake_mu_);
    wake_ = true;
  }
  wake_cv_.notify_all();
  NotifyAssignments();
  lease_monitor_.Stop();
  if (loop_thread_.joinable()) loop_thread_.join();
}

void SchedulerService::Wake() {
  {
    MutexLock lock(wake_mu_);
    wake_ = true;
  }
  wake_cv_.notify_all();
}

void SchedulerService::NotifyAssignments() {
  {
    MutexLock lock(assign_mu_);
    ++assign_generation_;
  }
  assign_cv_.notify_all();
}

void SchedulerService::Loop() {
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(Seconds(config_.cycle_interval_seconds));
  while (!stopping_.load()) {
    {
      MutexLock lock(wake_mu_);
      lock.WaitFor(wake_cv_, interval, [this]() REQUIRES(wake_mu_) { return wake_; });
      wake_ = false;
    }
    if (stopping_.load()) break;
    RunCycleNow();
  }
}

std::vector<NodeView> SchedulerService::BuildSnapshot(double now) {
  (void)now;
  std::vector<NodeRecord> records = nodes_.List();
  std::shared_ptr<const MetricsSnapshot> snapshot = metrics_source_->Latest();
  std::vector<NodeView> views;
  views.reserve(records.size());
  for (const NodeRecord& record : records) {
    NodeView view;
    view.name = record.name;
    for (const auto& [k, v] : record.labels) view.labels.emplace(k, v);
    view.profiles = record.profiles;
    view.capacity = {record.capacity.cores, record.capacity.memory_bytes, record.capacity.disk_bytes};
    if (record.down) {
      view.state = NodeState::kDown;
    } else if (record.cordoned) {
      view.state = NodeState::kCordoned;
    } else if (record.draining) {
      view.state = NodeState::kDraining;
    }
    view.last_heartbeat = ToTime(record.last_heartbeat);
    if (snapshot) {
      auto it = snapshot->nodes.find(record.name);
      if (it != snapshot->nodes.end()) view.metrics = it->second;
    }
    auto active = jobs_.ActiveOnNode(record.name);
    if (active.ok()) {
      for (const Job& job : *active) {
        view.reservations += Resources{job.spec.requirements.cores, job.spec.requirements.memory_bytes,
                                       job.spec.requirements.disk_bytes};
        ++view.running_jobs;
      }
    }
    views.push_back(std::move(view));
  }
  in_flight_.Apply(views);
  return views;
}

CycleResult SchedulerService::RunCycleNow() {
  MutexLock cycle_lock(cycle_mu_);
  const auto started = std::chrono::steady_clock::now();
  const double now = NowSeconds();
  CycleResult result;
  auto queued = jobs_.Schedulable(1000);
  if (!queued.ok()) {
    log_.Error("cannot read the queue", {{"err", queued.status().ToString()}});
    return result;
  }
  if (queued->empty()) return result;
  std::vector<NodeView> nodes = BuildSnapshot(now);
  CycleState state = scheduler_->MakeCycleState(ToTime(now));
  auto find_node = [&nodes](const std::string& name) -> NodeView* {
    for (NodeView& node : nodes) {
      if (node.name == name) return &node;
    }
    return nullptr;
  };
  for (const Job& job : *queued) {
    JobView view = ToJobView(job);
    Decision decision;
    decision.job_id = view.id;
    if (!job.pinned_node.empty()) {
      NodeView* pinned = find_node(job.pinned_node);
      if (pinned == nullptr) {
        decision.reason = "pinned node " + job.pinned_node + " is not registered";
      } else {
        decision = scheduler_->ScheduleOne(state, std::span<NodeView>(pinned, 1), view);
      }
    } else {
      if (NodeView* preferred = job.preferred_node.empty() ? nullptr : find_node(job.preferred_node)) {
        decision = scheduler_->ScheduleOne(state, std::span<NodeView>(preferred, 1), view);
      }
      if (decision.outcome != Outcome::kBound) decision = scheduler_->ScheduleOne(state, nodes, view);
    }
    metrics_.CountDecision(OutcomeName(decision.outcome));
    switch (decision.outcome) {
      case Outcome::kBound:
        ++result.bound;
        metrics_.ObserveQueueWait(std::max(0.0, now - job.created_at));
        log_.Info("assigned", {{"job", view.id}, {"node", decision.node}});
        break;
      case Outcome::kUnschedulable:
        ++result.unschedulable;
        log_.Debug("unschedulable", {{"job", view.id}, {"reason", decision.reason}});
        break;
      case Outcome::kError:
        ++result.errors;
        log_.Warn("scheduling error", {{"job", view.id}, {"err", decision.reason}});
        break;
    }
    result.decisions.push_back(std::move(decision));
  }
  metrics_.ObserveCycle(std::chrono::duration_cast<Seconds>(std::chrono::steady_clock::now() - started).count());
  if (result.bound > 0) NotifyAssignments();
  return result;
}

Result<JobExplanation> SchedulerService::ExplainJob(const std::string& id) {
  auto job = jobs_.Get(id);
  if (!job.ok()) return job.status();
  const double now = NowSeconds();
  std::vector<NodeView> nodes = BuildSnapshot(now);
  CycleState state;
  state.now = ToTime(now);
  state.default_job_cores = profile_.default_job_cores;
  return Explain(profile_, nodes, ToJobView(*job), state);
}

}  // namespace buildfarm::scheduler
