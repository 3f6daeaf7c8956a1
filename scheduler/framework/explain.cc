#include "scheduler/framework/explain.h"

namespace buildfarm::scheduler {

JobExplanation Explain(const Profile& profile, std::span<const NodeView> nodes, const JobView& job,
                       const CycleState& state) {
  JobExplanation out;
  out.job_id = job.id;
  out.nodes.resize(nodes.size());
  std::vector<std::size_t> feasible;
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    NodeExplanation& node = out.nodes[n];
    node.node = nodes[n].name;
    node.feasible = true;
    for (const FilterPlugin* filter : profile.filters) {
      Verdict verdict = filter->Filter(state, job, nodes[n]);
      node.feasible = node.feasible && verdict.fits();
      node.filters.push_back({std::string(filter->Name()), verdict.kind(), verdict.reason()});
    }
    if (node.feasible) feasible.push_back(n);
  }
  out.feasible_nodes = feasible.size();

  for (const WeightedScore& weighted : profile.scores) {
    const ScorePlugin& plugin = *weighted.plugin;
    std::vector<NodeScore> feasible_scores;
    std::vector<std::size_t> feasible_index;  // into out.nodes, parallel to feasible_scores
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      ScoreExplanation score{std::string(plugin.Name()), weighted.weight};
      Result<int> raw = plugin.Score(state, job, nodes[n]);
      if (raw.ok()) {
        score.raw = score.normalized = *raw;
        if (out.nodes[n].feasible) {
          feasible_scores.push_back({&nodes[n], *raw});
          feasible_index.push_back(n);
        }
      } else {
        score.ok = false;
        score.error = raw.status().message();
      }
      out.nodes[n].scores.push_back(std::move(score));
    }
    if (plugin.HasNormalizeScore() && !feasible_scores.empty()) {
      Status normalized = plugin.NormalizeScore(state, job, feasible_scores);
      for (std::size_t i = 0; i < feasible_scores.size(); ++i) {
        ScoreExplanation& score = out.nodes[feasible_index[i]].scores.back();
        if (normalized.ok()) {
          score.normalized = feasible_scores[i].score;
        } else {
          score.ok = false;
          score.error = "normalize: " + normalized.message();
        }
      }
    }
  }

  std::int64_t best_total = -1;
  for (std::size_t n : feasible) {
    NodeExplanation& node = out.nodes[n];
    for (const ScoreExplanation& score : node.scores) {
      node.total += static_cast<std::int64_t>(score.weight) * score.normalized;
    }
    if (node.total > best_total) {
      best_total = node.total;
      out.best_node = node.node;
    }
  }
  return out;
}

}  // namespace buildfarm::scheduler
