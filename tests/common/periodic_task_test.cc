#include "common/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace buildfarm {
namespace {

using namespace std::chrono_literals;

template <typename Predicate>
bool Eventually(Predicate done) {
  for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST(PeriodicTask, RunsTheFirstRoundAtOnceAndStopWakesTheWait) {
  std::atomic<int> rounds{0};
  PeriodicTask task;
  task.Start(1h, [&] { ++rounds; });
  ASSERT_TRUE(Eventually([&] { return rounds.load() == 1; }));
  task.Stop();  // would block for an hour if Stop did not wake the wait (ctest's timeout catches that)
  EXPECT_EQ(rounds.load(), 1);
}

TEST(PeriodicTask, RepeatsEveryIntervalUntilStopped) {
  std::atomic<int> rounds{0};
  PeriodicTask task;
  task.Start(1ms, [&] { ++rounds; });
  ASSERT_TRUE(Eventually([&] { return rounds.load() >= 3; }));
  task.Stop();
  const int after_stop = rounds.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(rounds.load(), after_stop);
}

TEST(PeriodicTask, StartTwiceKeepsOneThreadAndStopIsIdempotent) {
  std::atomic<int> first{0};
  std::atomic<int> second{0};
  PeriodicTask task;
  task.Start(1h, [&] { ++first; });
  task.Start(1h, [&] { ++second; });
  ASSERT_TRUE(Eventually([&] { return first.load() == 1; }));
  task.Stop();
  task.Stop();
  EXPECT_EQ(second.load(), 0);
}

}  // namespace
}  // namespace buildfarm
