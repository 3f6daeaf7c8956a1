// The scheduler's extension points, after Kubernetes' scheduling framework: QueueSort, Filter, Score
// (with optional NormalizeScore), Reserve/Unreserve and Bind. Each is a narrow interface; one plugin
// class may implement several (it then has one instance per profile, shared by those points).
//
// Thread safety: plugins are created once at startup from validated arguments and are immutable
// afterwards; their const methods may be called from any thread. Per-cycle data lives in CycleState and
// the node snapshot, which belong to the thread running the cycle. Plugins never read the clock.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "scheduler/framework/types.h"

namespace buildfarm::scheduler {

class InFlightTracker;

// Receives the final placement of a job (the scheduler application writes it to its store).
class Binder {
 public:
  virtual ~Binder() = default;
  virtual Status Bind(const JobView& job, const NodeView& node, Time now) = 0;
};

// What every plugin sees for the current cycle, besides the job and node.
struct CycleState {
  Time now{};
  // Cores a job is assumed to use when its requirements name none (in-flight accounting, load scores).
  double default_job_cores = 1;
  InFlightTracker* in_flight = nullptr;  // optional
  Binder* binder = nullptr;              // optional: without one, Bind only records the decision
};

// A filter's verdict. The three outcomes are distinct: a node that does not fit is not an error.
class Verdict {
 public:
  enum class Kind { kFits, kUnschedulable, kError };

  static Verdict Fits() { return Verdict(Kind::kFits, {}); }
  static Verdict Unschedulable(std::string reason) { return Verdict(Kind::kUnschedulable, std::move(reason)); }
  static Verdict Error(std::string message) { return Verdict(Kind::kError, std::move(message)); }

  Kind kind() const { return kind_; }
  bool fits() const { return kind_ == Kind::kFits; }
  // The reason a node is unschedulable, or the error message; empty when it fits.
  const std::string& reason() const { return reason_; }

 private:
  Verdict(Kind kind, std::string reason) : kind_(kind), reason_(std::move(reason)) {}
  Kind kind_;
  std::string reason_;
};

const char* VerdictKindName(Verdict::Kind kind);  // "fits", "unschedulable", "error"

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view Name() const = 0;
};

class QueueSortPlugin : public virtual Plugin {
 public:
  // Strict weak order: true when `a` should be scheduled before `b`.
  virtual bool Less(const JobView& a, const JobView& b) const = 0;
};

class FilterPlugin : public virtual Plugin {
 public:
  virtual Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const = 0;
};

struct NodeScore {
  const NodeView* node = nullptr;
  int score = 0;
};

class ScorePlugin : public virtual Plugin {
 public:
  static constexpr int kMinScore = 0;
  static constexpr int kMaxScore = 100;

  // 0..100, higher is better. An error is distinct from a low score and aborts the job's attempt.
  virtual Result<int> Score(const CycleState& state, const JobView& job, const NodeView& node) const = 0;

  // Plugins that rescale their scores over all feasible nodes override both of these.
  virtual bool HasNormalizeScore() const { return false; }
  virtual Status NormalizeScore(const CycleState& /*state*/, const JobView& /*job*/,
                                std::span<NodeScore> /*scores*/) const {
    return Status::Ok();
  }
};

class ReservePlugin : public virtual Plugin {
 public:
  // Claims the job's share of `node` in the cycle's snapshot (and wherever else it keeps accounts).
  virtual Status Reserve(CycleState& state, const JobView& job, NodeView& node) const = 0;
  // Undoes Reserve exactly; called in reverse order when a later Reserve or Bind fails.
  virtual void Unreserve(CycleState& state, const JobView& job, NodeView& node) const = 0;
};

class BindPlugin : public virtual Plugin {
 public:
  virtual Status Bind(CycleState& state, const JobView& job, const NodeView& node) const = 0;
};

}  // namespace buildfarm::scheduler
