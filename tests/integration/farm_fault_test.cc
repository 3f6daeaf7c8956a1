// Fault tests on a loopback farm: a node's host dies in the middle of a job, and the scheduler is
// killed with SIGKILL in the middle of a run and restarted on the same port and store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

void ExpectEachOnce(const std::vector<std::string>& lines, const std::vector<std::string>& ids) {
  std::map<std::string, int> seen;
  for (const auto& line : lines) ++seen[line];
  EXPECT_EQ(lines.size(), ids.size());
  for (const auto& id : ids) EXPECT_EQ(seen[id], 1) << id;
}

TEST(FarmFaultTest, KilledAgentsJobsCompleteElsewhereExactlyOnce) {
  Farm farm;
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  // Pin nothing: 9 sleeping jobs spread over the 3 nodes.
  const std::string who = farm.JobWritableFile("who.txt");
  std::vector<std::string> ids;
  for (int i = 0; i < 9; ++i) {
    int status = 0;
    auto job = farm.Call("POST", "/api/v1/jobs",
                         nlohmann::json{{"id", "slow-" + std::to_string(i)},
                                        {"command", "sleep 3; echo $BUILDFARM_JOB_ID >> " + farm.shared_file() +
                                                        "; echo $BUILDFARM_JOB_ID $BUILDFARM_NODE $BUILDFARM_ATTEMPT >> " +
                                                        who}}
                             .dump(),
                         &status);
    ASSERT_EQ(status, 201) << job.dump();
    ids.push_back(job["id"]);
  }
  // Wait until n1 runs at least one of them.
  auto running_on_n1 = [&] {
    std::vector<std::string> found;
    for (const auto& id : ids) {
      auto job = farm.Job(id);
      if (job.value("status", "") == "running" && job.value("assigned_to", "") == "n1") found.push_back(id);
    }
    return found;
  };
  auto observed = EventuallyValue(running_on_n1, [](const std::vector<std::string>& found) { return !found.empty(); },
                                  10, "a job running on n1");
  ASSERT_TRUE(observed.result) << farm.Logs();
  const std::vector<std::string> on_n1 = observed.value;
  farm.CrashAgent(0);
  auto done = farm.WaitTerminal(ids, 60);
  for (const auto& id : ids) ASSERT_EQ(done[id].value("status", ""), "completed") << done[id].dump() << farm.Logs();
  for (const auto& id : on_n1) {
    EXPECT_NE(done[id].value("assigned_to", ""), "n1") << done[id].dump();
    EXPECT_GE(done[id].value("attempt", 0), 2) << done[id].dump();
  }
  EXPECT_EQ(farm.Call("GET", "/api/v1/nodes/n1").value("state", ""), "down");
  ExpectEachOnce(farm.SharedFileLines(), ids);
  if (::testing::Test::HasFailure()) {
    std::string who;
    RunCommand({"cat", farm.dir().Join("who.txt")}, &who);
    ADD_FAILURE() << "runs (job node attempt):\n" << who << farm.Logs();
  }
}

TEST(FarmFaultTest, SchedulerKilledMidRunAndRestartedFinishesEveryJobOnce) {
  Farm farm;
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  std::vector<std::string> ids;
  nlohmann::json jobs = nlohmann::json::array();
  for (int i = 0; i < 20; ++i) {
    ids.push_back("run-" + std::to_string(i));
    nlohmann::json job = {{"id", ids.back()}, {"command", "sleep 0.5; echo $BUILDFARM_JOB_ID >> " + farm.shared_file()}};
    if (i >= 10) job["dependencies"] = {ids[i - 10]};  // a second wave that waits for the first
    jobs.push_back(job);
  }
  int status = 0;
  auto reply = farm.Call("POST", "/api/v1/jobs", nlohmann::json{{"jobs", jobs}}.dump(), &status);
  ASSERT_EQ(status, 201) << reply.dump();
  // Kill it once some jobs have finished and others are still running or waiting.
  ASSERT_TRUE(Eventually([&] { return farm.SharedFileLines().size() >= 3; }, 5, "three jobs finished")) << farm.Logs();
  ASSERT_LT(farm.SharedFileLines().size(), ids.size());
  ASSERT_TRUE(farm.KillAndRestartScheduler(&error)) << error;
  auto done = farm.WaitTerminal(ids, 90);
  for (const auto& id : ids) ASSERT_EQ(done[id].value("status", ""), "completed") << done[id].dump() << farm.Logs();
  ExpectEachOnce(farm.SharedFileLines(), ids);
}

}  // namespace
}  // namespace buildfarm::testing
