#include "exporter/procfs/statfs_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace buildfarm::exporter {
namespace {

using namespace std::chrono_literals;
using Outcome = StatfsRunner::Outcome;

// A stat function that blocks on paths named "hang*" until released, and counts calls per kind.
// Shared by pointer so that a call still blocked when a test ends never touches freed memory.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  std::atomic<int> hanging_calls{0};
  std::atomic<int> other_calls{0};

  void Release() {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
};

StatFunction GatedStat(const std::shared_ptr<Gate>& gate) {
  return [gate](const std::string& path) -> Result<StatfsValues> {
    if (path.rfind("hang", 0) == 0) {
      ++gate->hanging_calls;
      std::unique_lock lock(gate->mu);
      gate->cv.wait(lock, [&] { return gate->released; });
    } else {
      ++gate->other_calls;
    }
    if (path == "fail") return IoError("statfs fail: no such file or directory");
    StatfsValues values;
    values.blocks = path.size();
    values.block_size = 4096;
    return values;
  };
}

StatfsRunnerOptions Fast() {
  StatfsRunnerOptions options;
  options.timeout = 200ms;
  options.workers = 2;
  options.max_threads = 4;
  return options;
}

TEST(StatfsRunner, AnswersEveryPathInOrder) {
  auto gate = std::make_shared<Gate>();
  StatfsRunner runner(GatedStat(gate), Fast());
  auto answers = runner.StatAll({"a", "bb", "fail", "cccc"});
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0].outcome, Outcome::kOk);
  EXPECT_EQ(answers[0].values.blocks, 1u);
  EXPECT_EQ(answers[1].values.blocks, 2u);
  EXPECT_EQ(answers[2].outcome, Outcome::kFailed);
  EXPECT_NE(answers[2].error.find("no such file"), std::string::npos);
  EXPECT_EQ(answers[3].values.blocks, 4u);
  EXPECT_EQ(answers[3].values.block_size, 4096u);
  EXPECT_TRUE(runner.StatAll({}).empty());
}

TEST(StatfsRunner, KeepsAFixedPoolInTheNormalCase) {
  auto gate = std::make_shared<Gate>();
  StatfsRunner runner(GatedStat(gate), Fast());
  for (int i = 0; i < 50; ++i) {
    auto answers = runner.StatAll({"a", "b", "c", "d", "e", "f"});
    for (const auto& answer : answers) ASSERT_EQ(answer.outcome, Outcome::kOk);
  }
  EXPECT_EQ(runner.ThreadCount(), 2);
  EXPECT_EQ(gate->other_calls.load(), 300);
}

TEST(StatfsRunner, StuckPathTimesOutThenIsSkippedUntilItReturns) {
  auto gate = std::make_shared<Gate>();
  StatfsRunner runner(GatedStat(gate), Fast());

  auto start = std::chrono::steady_clock::now();
  auto first = runner.StatAll({"a", "hang1", "b"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // i.e. it did not wait for the hung call
  EXPECT_EQ(first[0].outcome, Outcome::kOk);
  EXPECT_EQ(first[1].outcome, Outcome::kTimedOut);
  EXPECT_EQ(first[2].outcome, Outcome::kOk);

  // While it is stuck, further batches make no new call for it and do not wait for it.
  for (int i = 0; i < 5; ++i) {
    auto again = runner.StatAll({"a", "hang1", "b"});
    EXPECT_EQ(again[0].outcome, Outcome::kOk);
    EXPECT_EQ(again[1].outcome, Outcome::kStuck);
    EXPECT_EQ(again[2].outcome, Outcome::kOk);
  }
  EXPECT_EQ(gate->hanging_calls.load(), 1);
  // The stuck worker was replaced, and no more than that.
  EXPECT_EQ(runner.ThreadCount(), 3);

  gate->Release();
  // Once the blocked call returns, the path is stat'ed again.
  Outcome outcome = Outcome::kStuck;
  for (int i = 0; i < 100 && outcome != Outcome::kOk; ++i) {
    outcome = runner.StatAll({"hang1"})[0].outcome;
    if (outcome != Outcome::kOk) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(outcome, Outcome::kOk);
  EXPECT_EQ(gate->hanging_calls.load(), 2);
  // The recovered worker left again: back to the configured pool.
  EXPECT_EQ(runner.ThreadCount(), 2);
}

TEST(StatfsRunner, ThreadsStayBoundedWhenManyPathsHang) {
  auto gate = std::make_shared<Gate>();
  StatfsRunner runner(GatedStat(gate), Fast());
  std::vector<std::string> paths;
  for (int i = 0; i < 10; ++i) paths.push_back("hang" + std::to_string(i));
  for (int scrape = 0; scrape < 6; ++scrape) {
    auto answers = runner.StatAll(paths);
    for (const auto& answer : answers) EXPECT_NE(answer.outcome, Outcome::kOk);
    EXPECT_LE(runner.ThreadCount(), 4);
  }
  // At most one call per path ever started, and only as many as there were threads to run them.
  EXPECT_LE(gate->hanging_calls.load(), 4);
  gate->Release();
}

TEST(StatfsRunner, ConcurrentBatchesShareACallInProgress) {
  auto gate = std::make_shared<Gate>();
  StatfsRunnerOptions options = Fast();
  options.timeout = 10s;  // long enough that neither batch gives up before the release below
  StatfsRunner runner(GatedStat(gate), options);
  std::vector<StatfsRunner::Answer> first, second;
  std::thread a([&] { first = runner.StatAll({"hang-shared"}); });
  while (gate->hanging_calls.load() == 0) std::this_thread::sleep_for(1ms);
  std::thread b([&] { second = runner.StatAll({"hang-shared"}); });
  std::this_thread::sleep_for(50ms);
  gate->Release();
  a.join();
  b.join();
  EXPECT_EQ(first[0].outcome, Outcome::kOk);
  EXPECT_EQ(second[0].outcome, Outcome::kOk);
  EXPECT_EQ(gate->hanging_calls.load(), 1);
}

TEST(StatfsRunner, DestructionDoesNotWaitForAStuckCall) {
  auto gate = std::make_shared<Gate>();
  {
    StatfsRunner runner(GatedStat(gate), Fast());
    EXPECT_EQ(runner.StatAll({"hang-forever"})[0].outcome, Outcome::kTimedOut);
  }
  gate->Release();  // the detached worker finishes on its own and frees the shared state
}

}  // namespace
}  // namespace buildfarm::exporter
