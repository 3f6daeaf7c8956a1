#include "scheduler/framework/scheduler.h"

#include <algorithm>

#include "scheduler/framework/in_flight.h"

namespace buildfarm::scheduler {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kBound: return "bound";
    case Outcome::kUnschedulable: return "unschedulable";
    case Outcome::kError: return "error";
  }
  return "unknown";
}

Scheduler::Scheduler(const Profile& profile, SchedulerOptions options)
    : profile_(profile), options_(options), rng_(options.seed) {}

CycleState Scheduler::MakeCycleState(Time now) const {
  CycleState state;
  state.now = now;
  state.default_job_cores = profile_.default_job_cores;
  state.in_flight = options_.in_flight;
  state.binder = options_.binder;
  return state;
}

CycleResult Scheduler::RunCycle(std::span<NodeView> nodes, std::span<const JobView> jobs, Time now,
                                std::size_t max_decisions) {
  CycleResult result;
  if (options_.in_flight != nullptr) options_.in_flight->Apply(nodes);
  CycleState state = MakeCycleState(now);

  std::vector<const JobView*> order;
  order.reserve(jobs.size());
  for (const JobView& job : jobs) order.push_back(&job);
  const QueueSortPlugin* sort = profile_.queue_sort;
  auto less = [sort](const JobView* a, const JobView* b) { return sort->Less(*a, *b); };
  const std::size_t count = std::min(max_decisions, order.size());
  if (count < order.size()) {
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(), less);
  } else {
    std::sort(order.begin(), order.end(), less);
  }

  result.decisions.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    Decision decision = ScheduleOne(state, nodes, *order[i]);
    switch (decision.outcome) {
      case Outcome::kBound: ++result.bound; break;
      case Outcome::kUnschedulable: ++result.unschedulable; break;
      case Outcome::kError: ++result.errors; break;
    }
    result.decisions.push_back(std::move(decision));
  }
  return result;
}

Decision Scheduler::ScheduleOne(CycleState& state, std::span<NodeView> nodes, const JobView& job) {
  // Filters: the first rejection is the node's reason; an error aborts the job's attempt.
  feasible_.clear();
  rejections_by_filter_.assign(profile_.filters.size(), 0);
  std::string example;
  const std::size_t node_count = nodes.size();
  const std::size_t want = NodesToFind(node_count, profile_.percentage_of_nodes_to_score);
  if (next_start_node_ >= node_count) next_start_node_ = 0;
  std::size_t visited = 0;
  for (; visited < node_count && feasible_.size() < want; ++visited) {
    std::size_t n = next_start_node_ + visited;
    if (n >= node_count) n -= node_count;
    bool fits = true;
    for (std::size_t f = 0; f < profile_.filters.size(); ++f) {
      Verdict verdict = profile_.filters[f]->Filter(state, job, nodes[n]);
      if (verdict.fits()) continue;
      if (verdict.kind() == Verdict::Kind::kError) {
        return Failed(job, "filter " + std::string(profile_.filters[f]->Name()) + " on node " + nodes[n].name +
                               ": " + verdict.reason());
      }
      if (example.empty()) {
        example = nodes[n].name + ": " + std::string(profile_.filters[f]->Name()) + ": " + verdict.reason();
      }
      ++rejections_by_filter_[f];
      fits = false;
      break;
    }
    if (fits) feasible_.push_back(n);
  }
  if (node_count > 0) next_start_node_ = (next_start_node_ + visited) % node_count;
  if (feasible_.empty()) return Unschedulable(job, nodes.size(), example);

  // Scores: a weighted sum over plugins, each 0..100 after optional normalisation.
  totals_.assign(feasible_.size(), 0);
  if (feasible_.size() > 1) {
    plugin_scores_.resize(feasible_.size());
    for (const WeightedScore& weighted : profile_.scores) {
      const ScorePlugin& plugin = *weighted.plugin;
      for (std::size_t i = 0; i < feasible_.size(); ++i) {
        const NodeView& node = nodes[feasible_[i]];
        Result<int> score = plugin.Score(state, job, node);
        if (!score.ok()) {
          return Failed(job, "score " + std::string(plugin.Name()) + " on node " + node.name + ": " +
                                 score.status().message());
        }
        plugin_scores_[i] = {&node, *score};
      }
      if (plugin.HasNormalizeScore()) {
        Status normalized = plugin.NormalizeScore(state, job, plugin_scores_);
        if (!normalized.ok()) {
          return Failed(job, "normalize " + std::string(plugin.Name()) + ": " + normalized.message());
        }
      }
      for (std::size_t i = 0; i < feasible_.size(); ++i) {
        const int score = plugin_scores_[i].score;
        if (score < ScorePlugin::kMinScore || score > ScorePlugin::kMaxScore) {
          return Failed(job, "score " + std::string(plugin.Name()) + " on node " + plugin_scores_[i].node->name +
                                 ": " + std::to_string(score) + " is outside [0, 100]");
        }
        totals_[i] += static_cast<std::int64_t>(weighted.weight) * score;
      }
    }
  }

  // Highest total wins; among equal totals each is equally likely (reservoir sampling).
  std::size_t best = 0;
  std::uint64_t ties = 1;
  for (std::size_t i = 1; i < feasible_.size(); ++i) {
    if (totals_[i] > totals_[best]) {
      best = i;
      ties = 1;
    } else if (totals_[i] == totals_[best]) {
      ++ties;
      if (std::uniform_int_distribution<std::uint64_t>(0, ties - 1)(rng_) == 0) best = i;
    }
  }
  return ReserveAndBind(state, job, nodes[feasible_[best]], totals_[best]);
}

Decision Scheduler::ReserveAndBind(CycleState& state, const JobView& job, NodeView& node, std::int64_t score) {
  auto unreserve = [&](std::size_t done) {
    for (std::size_t i = done; i-- > 0;) profile_.reserves[i]->Unreserve(state, job, node);
  };
  for (std::size_t r = 0; r < profile_.reserves.size(); ++r) {
    Status reserved = profile_.reserves[r]->Reserve(state, job, node);
    if (!reserved.ok()) {
      unreserve(r);
      return Failed(job, "reserve " + std::string(profile_.reserves[r]->Name()) + " on node " + node.name + ": " +
                             reserved.message());
    }
  }
  for (const BindPlugin* bind : profile_.binds) {
    Status bound = bind->Bind(state, job, node);
    if (!bound.ok()) {
      unreserve(profile_.reserves.size());
      return Failed(job, "bind " + std::string(bind->Name()) + " on node " + node.name + ": " + bound.message());
    }
  }
  Decision decision;
  decision.job_id = job.id;
  decision.outcome = Outcome::kBound;
  decision.node = node.name;
  decision.score = score;
  return decision;
}

Decision Scheduler::Unschedulable(const JobView& job, std::size_t node_count, const std::string& example) const {
  Decision decision;
  decision.job_id = job.id;
  decision.outcome = Outcome::kUnschedulable;
  decision.reason = "0/" + std::to_string(node_count) + " nodes fit";
  std::string counts;
  for (std::size_t f = 0; f < profile_.filters.size(); ++f) {
    if (rejections_by_filter_[f] == 0) continue;
    counts += (counts.empty() ? "" : ", ") + std::string(profile_.filters[f]->Name()) + " rejected " +
              std::to_string(rejections_by_filter_[f]);
  }
  if (!counts.empty()) decision.reason += ": " + counts;
  if (!example.empty()) decision.reason += " (first: " + example + ")";
  return decision;
}

Decision Scheduler::Failed(const JobView& job, std::string reason) const {
  Decision decision;
  decision.job_id = job.id;
  decision.outcome = Outcome::kError;
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace buildfarm::scheduler
