// BoundedRefresh<T>: a value recomputed at most once per interval (by an injected clock); calls in
// between get the last one. For work that callers without a token can ask for at any rate — /metrics'
// table counts, /readyz's store probe — so the cost per interval is bounded, not per request. An
// interval of 0 recomputes on every call.
//
// Thread-safe: one computation at a time; calls that arrive during it wait for it and share its value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "common/mutex.h"

namespace buildfarm::scheduler {

using RefreshClock = std::function<double()>;  // seconds (a clock going back recomputes)

template <typename T>
class BoundedRefresh {
 public:
  using Clock = RefreshClock;

  BoundedRefresh(double interval_seconds, Clock clock) : interval_seconds_(interval_seconds), clock_(std::move(clock)) {}

  // The value computed within the interval, else a new one from `compute` (which runs under the lock).
  T Get(const std::function<T()>& compute) {
    MutexLock lock(mu_);
    const double now = clock_();
    if (!value_ || now - computed_at_ >= interval_seconds_ || now < computed_at_) {
      value_ = compute();
      computed_at_ = now;
      ++computations_;
    }
    return *value_;
  }

  // How many times `compute` ran (tests and the refresh's own bound).
  std::int64_t computations() {
    MutexLock lock(mu_);
    return computations_;
  }

 private:
  const double interval_seconds_;
  const Clock clock_;
  Mutex mu_;
  std::optional<T> value_ GUARDED_BY(mu_);
  double computed_at_ GUARDED_BY(mu_) = 0;
  std::int64_t computations_ GUARDED_BY(mu_) = 0;
};

}  // namespace buildfarm::scheduler
