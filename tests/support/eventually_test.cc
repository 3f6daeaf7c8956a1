#include "tests/support/eventually.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace buildfarm::testing {
namespace {

std::string Message(const ::testing::AssertionResult& result) { return result.message(); }

TEST(Eventually, HoldsAtOnceWithOneCheck) {
  int checks = 0;
  EXPECT_TRUE(Eventually([&] { return ++checks > 0; }, 5, "first check"));
  EXPECT_EQ(checks, 1);
}

TEST(Eventually, KeepsPollingUntilTheConditionHolds) {
  int checks = 0;
  EXPECT_TRUE(Eventually([&] { return ++checks == 5; }, 30, "fifth check"));
  EXPECT_EQ(checks, 5);
}

TEST(Eventually, SeesAnEventFromAnotherThread) {
  std::atomic<bool> happened{false};
  std::thread other([&] { happened = true; });
  EXPECT_TRUE(Eventually([&] { return happened.load(); }, 30, "the other thread's flag"));
  other.join();
}

TEST(Eventually, FailureNamesWhatNeverHappened) {
  int checks = 0;
  auto result = Eventually([&] { return ++checks < 0; }, 0.05, "node b1 cordoned");
  EXPECT_FALSE(result);
  EXPECT_NE(Message(result).find("never happened within"), std::string::npos) << Message(result);
  EXPECT_NE(Message(result).find(": node b1 cordoned"), std::string::npos) << Message(result);
  EXPECT_NE(Message(result).find("(" + std::to_string(checks) + " checks)"), std::string::npos) << Message(result);
  EXPECT_GE(checks, 2) << "checked at the start and once more at the deadline";
}

TEST(Eventually, ZeroTimeoutStillChecksOnce) {
  int checks = 0;
  EXPECT_TRUE(Eventually([&] { return ++checks == 1; }, 0, "a single check"));
  EXPECT_FALSE(Eventually([] { return false; }, 0, "never"));
}

TEST(EventuallyValue, ReturnsTheAcceptedValue) {
  int next = 0;
  auto observed = EventuallyValue([&] { return ++next; }, [](int v) { return v >= 3; }, 30, "a count of 3");
  ASSERT_TRUE(observed.result);
  EXPECT_EQ(observed.value, 3);
}

TEST(EventuallyValue, FailureShowsTheLastObservedValue) {
  auto observed = EventuallyValue([] { return std::string("queued"); },
                                  [](const std::string& status) { return status == "running"; }, 0.02,
                                  "job j1 running");
  EXPECT_FALSE(observed.result);
  EXPECT_EQ(observed.value, "queued");
  EXPECT_NE(Message(observed.result).find(": job j1 running; last observed: queued"), std::string::npos)
      << Message(observed.result);
}

TEST(EventuallyValue, ValuesWithoutStreamOperatorUseTheGtestPrinter) {
  auto observed = EventuallyValue([] { return std::vector<int>{1, 2}; },
                                  [](const std::vector<int>& v) { return v.size() == 3; }, 0, "three items");
  EXPECT_FALSE(observed.result);
  EXPECT_NE(Message(observed.result).find("last observed: { 1, 2 }"), std::string::npos) << Message(observed.result);
}

TEST(DescribeObserved, CutsLongValues) {
  const std::string described = DescribeObserved(std::string(5000, 'x'));
  EXPECT_EQ(described, std::string(2000, 'x') + "... (5000 chars)");
  EXPECT_EQ(DescribeObserved(42), "42");
}

}  // namespace
}  // namespace buildfarm::testing
