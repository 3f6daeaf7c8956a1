// Waiting in tests for an event, not for a time: Eventually(condition, timeout, "what") polls until the
// condition holds and, when it never does, fails with a message that names what did not happen, how long
// it was awaited and (with EventuallyValue) the last value that was observed. Polls start at 1 ms and
// double up to 100 ms, so a fast event costs almost nothing and a slow one does not spin a core.
//
//   ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "running"; }, 10, "job " + id + " running"));
//   auto job = EventuallyValue([&] { return Job(id); }, [](const json& j) { return j["status"] == "queued"; },
//                              10, "job requeued after the lease");
//   ASSERT_TRUE(job.result);
//   EXPECT_EQ(job.value["retry_count"], 1);
//
// The condition runs on the calling thread only; the helpers keep no state between calls. A sleep that
// is the behaviour under test (a lease that must expire, a job that runs for N seconds) is not a wait
// for an event and stays a sleep, with a comment that says so.
#pragma once

#include <gtest/gtest.h>

#include <concepts>
#include <functional>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace buildfarm::testing {

// How a poll loop ended: whether the check held, after how many checks and how many seconds.
struct PollOutcome {
  bool held = false;
  int checks = 0;
  double waited_seconds = 0;
};

// Calls `check` until it returns true or `timeout_seconds` pass (it is called once more at the deadline).
PollOutcome PollUntil(const std::function<bool()>& check, double timeout_seconds);

// The failure message: "never happened within 10 s (37 checks): <what>".
::testing::AssertionResult NeverHappened(std::string_view what, const PollOutcome& outcome);

// Success once `condition` returns true; otherwise a failure naming `what`.
::testing::AssertionResult Eventually(const std::function<bool()>& condition, double timeout_seconds,
                                      std::string_view what);

// A value as the failure message shows it: streamed if it can be (nlohmann::json, strings, numbers),
// else gtest's printer; cut to 2000 characters.
template <typename T>
std::string DescribeObserved(const T& value) {
  std::string text;
  if constexpr (requires(std::ostream& out, const T& v) { out << v; }) {
    std::ostringstream out;
    out << value;
    text = out.str();
  } else {
    text = ::testing::PrintToString(value);
  }
  constexpr std::size_t kMax = 2000;
  return text.size() > kMax ? text.substr(0, kMax) + "... (" + std::to_string(text.size()) + " chars)" : text;
}

// The last value observed by EventuallyValue, and whether it was accepted.
template <typename T>
struct Observed {
  T value;
  ::testing::AssertionResult result;
};

// Calls `observe` until `accept(value)` holds; returns the last value either way, so that the caller can
// assert more about it. On failure `result` names `what` and shows the last value.
template <typename Observe, typename Accept>
auto EventuallyValue(Observe&& observe, Accept&& accept, double timeout_seconds, std::string_view what)
    -> Observed<std::decay_t<std::invoke_result_t<Observe&>>> {
  using Value = std::decay_t<std::invoke_result_t<Observe&>>;
  std::optional<Value> last;
  const PollOutcome outcome = PollUntil(
      [&] {
        last.emplace(observe());
        return static_cast<bool>(accept(std::as_const(*last)));
      },
      timeout_seconds);
  if (outcome.held) return {std::move(*last), ::testing::AssertionSuccess()};
  ::testing::AssertionResult failure = NeverHappened(what, outcome);
  failure << "; last observed: " << DescribeObserved(*last);
  return {std::move(*last), std::move(failure)};
}

}  // namespace buildfarm::testing
