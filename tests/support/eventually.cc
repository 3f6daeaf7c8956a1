#include "tests/support/eventually.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace buildfarm::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kFirstInterval = std::chrono::milliseconds(1);
constexpr auto kLongestInterval = std::chrono::milliseconds(100);

}  // namespace

PollOutcome PollUntil(const std::function<bool()>& check, double timeout_seconds) {
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_seconds));
  PollOutcome outcome;
  auto interval = std::chrono::duration_cast<Clock::duration>(kFirstInterval);
  for (;;) {
    const bool past_deadline = Clock::now() >= deadline;  // read before the check: it gets one last chance
    ++outcome.checks;
    outcome.held = check();
    if (outcome.held || past_deadline) break;
    std::this_thread::sleep_for(std::min(interval, deadline - Clock::now()));
    interval = std::min(interval * 2, std::chrono::duration_cast<Clock::duration>(kLongestInterval));
  }
  outcome.waited_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return outcome;
}

::testing::AssertionResult NeverHappened(std::string_view what, const PollOutcome& outcome) {
  char waited[32];
  std::snprintf(waited, sizeof waited, "%.1f", outcome.waited_seconds);
  return ::testing::AssertionFailure() << "never happened within " << waited << " s (" << outcome.checks
                                       << " checks): " << what;
}

::testing::AssertionResult Eventually(const std::function<bool()>& condition, double timeout_seconds,
                                      std::string_view what) {
  const PollOutcome outcome = PollUntil(condition, timeout_seconds);
  if (outcome.held) return ::testing::AssertionSuccess();
  return NeverHappened(what, outcome);
}

}  // namespace buildfarm::testing
