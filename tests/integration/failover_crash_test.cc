// kill -9 during failover: the real buildfarm-scheduler is killed at a random moment of each of 50
// manual failovers (POST /api/v1/nodes/{name}/failover) and restarted on the same store. After every
// restart each node is either fully failed over (cordoned, both its jobs requeued towards the target,
// exactly one failover record naming them) or untouched (ready, its jobs still assigned to it, no
// record), and every job exists exactly once.
//
// Each source node carries a label only its own jobs select, so a job that was moved stays queued
// (its target does not match) and the check sees exactly what the failover did. The lease is long, so
// only the failovers move anything.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

constexpr int kFailovers = 50;
constexpr int kJobsPerNode = 2;
constexpr char kTarget[] = "sink";

std::string SourceNode(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "src-%02d", i);
  return name;
}
std::string JobId(int node, int k) { return SourceNode(node) + "-job-" + std::to_string(k); }

// Polls `condition` every 20 ms until it holds or `timeout_seconds` pass.
template <typename Condition>
bool PollUntil(Condition condition, double timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class FailoverCrashTest : public ::testing::Test {
 protected:
  FailoverCrashTest() : farm_(FarmOptions{.agents = 0, .prometheus = false, .lease = "600s", .cycle_interval = "100ms"}) {}

  void RegisterNode(const std::string& name, double cores) {
    nlohmann::json body{{"name", name}, {"labels", {{"slot", name}}}, {"profiles", {"linux"}},
                        {"capacity", {{"cores", cores}, {"memory_bytes", 64LL << 30}, {"disk_bytes", 1LL << 40}}}};
    int status = 0;
    farm_.Call("POST", "/api/v1/agents/register", body.dump(), &status);
    ASSERT_EQ(status, 200) << name;
  }

  std::map<std::string, nlohmann::json> AllJobs() {
    std::map<std::string, nlohmann::json> jobs;
    auto page = farm_.Call("GET", "/api/v1/jobs?limit=1000");
    for (const auto& job : page.value("jobs", nlohmann::json::array())) {
      const std::string id = job.value("id", "");
      duplicates_ += jobs.count(id);
      jobs[id] = job;
    }
    return jobs;
  }

  // Checks the invariant for source nodes [0, upto); returns how many are failed over.
  int CheckEveryNodeWholeOrUntouched(int upto, const std::string& when) {
    SCOPED_TRACE(when);
    std::map<std::string, std::string> state;
    for (const auto& node : farm_.Call("GET", "/api/v1/nodes").value("nodes", nlohmann::json::array())) {
      state[node.value("name", "")] = node.value("state", "");
    }
    std::map<std::string, std::vector<nlohmann::json>> records;
    for (const auto& record : farm_.Call("GET", "/api/v1/failovers?limit=1000").value("failovers", nlohmann::json::array())) {
      records[record.value("source", "")].push_back(record);
    }
    duplicates_ = 0;
    auto jobs = AllJobs();
    EXPECT_EQ(duplicates_, 0) << "a job is listed twice";
    EXPECT_EQ(jobs.size(), static_cast<std::size_t>(kFailovers * kJobsPerNode)) << "jobs lost or added";
    int failed_over = 0;
    for (int i = 0; i < upto; ++i) {
      const std::string node = SourceNode(i);
      SCOPED_TRACE(node);
      const auto& mine = records[node];
      EXPECT_LE(mine.size(), 1u) << "more than one failover record";
      const bool done = mine.size() == 1;
      failed_over += done ? 1 : 0;
      EXPECT_EQ(state[node], done ? "cordoned" : "ready");
      std::set<std::string> moved;
      if (done) {
        EXPECT_EQ(mine[0].value("target", ""), kTarget);
        for (const auto& id : mine[0].value("jobs", nlohmann::json::array())) moved.insert(id.get<std::string>());
      }
      for (int k = 0; k < kJobsPerNode; ++k) {
        const std::string id = JobId(i, k);
        if (jobs.count(id) == 0) {
          ADD_FAILURE() << id << " lost";
          continue;
        }
        const nlohmann::json& job = jobs[id];
        EXPECT_EQ(job.value("attempt", -1), 1) << job.dump();
        if (done) {
          EXPECT_EQ(job.value("status", ""), "queued") << job.dump();
          EXPECT_EQ(job.value("retry_count", -1), 1) << job.dump();
          EXPECT_EQ(moved.count(id), 1u) << id << " missing from the record";
        } else {
          EXPECT_EQ(job.value("status", ""), "assigned") << job.dump();
          EXPECT_EQ(job.value("assigned_to", ""), node) << job.dump();
          EXPECT_EQ(job.value("retry_count", -1), 0) << job.dump();
        }
      }
      if (done) EXPECT_EQ(moved.size(), static_cast<std::size_t>(kJobsPerNode)) << mine[0].dump();
    }
    return failed_over;
  }

  Farm farm_;
  std::size_t duplicates_ = 0;
};

TEST_F(FailoverCrashTest, KillNineDuringFiftyFailoversLeavesEachNodeWholeOrUntouched) {
  const auto started = std::chrono::steady_clock::now();
  std::string error;
  ASSERT_TRUE(farm_.Start(&error)) << error;
  RegisterNode(kTarget, 1000);
  for (int i = 0; i < kFailovers; ++i) {
    RegisterNode(SourceNode(i), 64);
    for (int k = 0; k < kJobsPerNode; ++k) {
      nlohmann::json job{{"id", JobId(i, k)}, {"command", "true"}, {"max_retries", 5},
                         {"selector", {{"slot", SourceNode(i)}}}};
      int status = 0;
      auto reply = farm_.Call("POST", "/api/v1/jobs", job.dump(), &status);
      ASSERT_EQ(status, 201) << reply.dump();
    }
  }
  ASSERT_TRUE(PollUntil(
      [&] {
        auto page = farm_.Call("GET", "/api/v1/jobs?status=assigned&limit=1000");
        return page.value("jobs", nlohmann::json::array()).size() == static_cast<std::size_t>(kFailovers * kJobsPerNode);
      },
      30))
      << "not every job was assigned to its node:\n" << farm_.Logs();

  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  RecordProperty("seed", std::to_string(seed));
  // A failover takes a few milliseconds; killing within 0-6 ms after sending it lands before, inside
  // and after its transaction.
  std::uniform_int_distribution<int> kill_after_us(0, 6000);
  int failed_over = 0;
  int kills = 0;
  for (int i = 0; i < kFailovers; ++i) {
    auto request = std::async(std::launch::async, [&, i] {
      httplib::Client client("http://" + farm_.address());
      client.set_read_timeout(10, 0);
      auto res = client.Post("/api/v1/nodes/" + SourceNode(i) + "/failover",
                             {{"Authorization", "Bearer " + farm_.admin_token()}},
                             nlohmann::json{{"to", kTarget}}.dump(), "application/json");
      return res ? res->status : 0;
    });
    std::this_thread::sleep_for(std::chrono::microseconds(kill_after_us(random)));
    ASSERT_TRUE(farm_.KillAndRestartScheduler(&error)) << error;
    ++kills;
    const int answered = request.get();  // 200 when it finished before the kill; 0 when cut off
    failed_over = CheckEveryNodeWholeOrUntouched(i + 1, "after kill " + std::to_string(i + 1));
    if (answered == 200) {
      // Acknowledged means committed.
      EXPECT_EQ(farm_.Call("GET", "/api/v1/nodes/" + SourceNode(i)).value("state", ""), "cordoned") << SourceNode(i);
    }
    if (::testing::Test::HasFatalFailure() || ::testing::Test::HasFailure()) break;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RecordProperty("kills", std::to_string(kills));
  RecordProperty("failed_over", std::to_string(failed_over));
  RecordProperty("seconds", std::to_string(seconds));
  std::printf("%d kills; %d nodes fully failed over, %d untouched; seed %u; %.1f s\n", kills, failed_over,
              kills - failed_over, seed, seconds);
  if (::testing::Test::HasFailure()) ADD_FAILURE() << farm_.Logs();
}

}  // namespace
}  // namespace buildfarm::testing
