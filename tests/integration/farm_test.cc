// The scheduler, 3 agents and a stub Prometheus on loopback: a 200-job dependency graph runs exactly once
// in dependency order, a loaded node gets fewer jobs, and a burst spreads evenly over equal nodes.
#include <gtest/gtest.h>

#include <ctime>
#include <random>
#include <set>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

// RFC 3339 UTC ("2026-11-26T23:59:01.123Z") as Unix seconds; -1 when malformed.
double ParseTime(const nlohmann::json& value) {
  if (!value.is_string()) return -1;
  const std::string text = value.get<std::string>();
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return -1;
  double seconds = static_cast<double>(timegm(&tm));
  if (*rest == '.') seconds += std::stod("0" + std::string(rest, std::strcspn(rest, "Z+-")));
  return seconds;
}

std::string AppendCommand(const Farm& farm, const std::string& sleep = "0.05") {
  return "sleep " + sleep + "; echo $BUILDFARM_JOB_ID >> " + farm.shared_file();
}

TEST(FarmTest, DependencyGraphOf200JobsRunsExactlyOnceInOrder) {
  Farm farm;
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  // 10 layers of 20; each job after the first layer depends on 1-3 jobs of the layer before.
  std::mt19937 random(42);
  nlohmann::json jobs = nlohmann::json::array();
  std::vector<std::string> ids;
  std::map<std::string, std::vector<std::string>> dependencies;
  for (int layer = 0; layer < 10; ++layer) {
    for (int i = 0; i < 20; ++i) {
      std::string id = "L" + std::to_string(layer) + "-" + std::to_string(i);
      nlohmann::json job = {{"id", id}, {"command", AppendCommand(farm)}};
      if (layer > 0) {
        std::set<int> picks;
        const int count = 1 + static_cast<int>(random() % 3);
        while (static_cast<int>(picks.size()) < count) picks.insert(static_cast<int>(random() % 20));
        for (int pick : picks) dependencies[id].push_back("L" + std::to_string(layer - 1) + "-" + std::to_string(pick));
        job["dependencies"] = dependencies[id];
      }
      jobs.push_back(job);
      ids.push_back(id);
    }
  }
  int status = 0;
  auto reply = farm.Call("POST", "/api/v1/jobs", nlohmann::json{{"jobs", jobs}}.dump(), &status);
  ASSERT_EQ(status, 201) << reply.dump();
  auto done = farm.WaitTerminal(ids, 150);
  for (const auto& id : ids) {
    ASSERT_EQ(done[id].value("status", ""), "completed") << done[id].dump() << "\n" << farm.Logs();
  }
  // Exactly once: each id once in the shared file.
  auto lines = farm.SharedFileLines();
  std::map<std::string, int> seen;
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < lines.size(); ++i) {
    ++seen[lines[i]];
    position[lines[i]] = i;
  }
  EXPECT_EQ(lines.size(), ids.size());
  for (const auto& id : ids) EXPECT_EQ(seen[id], 1) << id;
  // Dependency order: started after each dependency completed, and written after it in the file.
  for (const auto& [id, deps] : dependencies) {
    const double started = ParseTime(done[id]["started_at"]);
    ASSERT_GT(started, 0) << done[id].dump();
    for (const auto& dep : deps) {
      EXPECT_GE(started, ParseTime(done[dep]["completed_at"])) << id << " started before " << dep << " completed";
      EXPECT_GT(position[id], position[dep]) << id << " written before its dependency " << dep;
    }
  }
  // Every node took part.
  EXPECT_EQ(CountBy(done, "assigned_to").size(), 3u);
}

TEST(FarmTest, LoadedNodeGetsFewerJobs) {
  Farm farm;
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  farm.prometheus()->SetCpu("n1", 0.95);
  ASSERT_TRUE(EventuallyValue([&] { return farm.Call("GET", "/api/v1/nodes/n1"); },
                              [](const nlohmann::json& node) {
                                return node.contains("metrics") && node["metrics"].value("cpu_utilization", 0.0) > 0.9;
                              },
                              10, "the scheduler seeing n1's CPU at 95%")
                  .result);
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    int status = 0;
    auto job = farm.Call("POST", "/api/v1/jobs",
                         nlohmann::json{{"command", AppendCommand(farm, "0.2")}, {"requirements", {{"cores", 1}}}}.dump(),
                         &status);
    ASSERT_EQ(status, 201) << job.dump();
    ids.push_back(job["id"]);
  }
  auto done = farm.WaitTerminal(ids, 60);
  for (const auto& id : ids) ASSERT_EQ(done[id].value("status", ""), "completed") << done[id].dump();
  std::map<std::string, nlohmann::json> ours;
  for (const auto& id : ids) ours[id] = done[id];
  auto counts = CountBy(ours, "assigned_to");
  EXPECT_LT(counts["n1"], counts["n2"]) << nlohmann::json(counts).dump();
  EXPECT_LT(counts["n1"], counts["n3"]) << nlohmann::json(counts).dump();
}

TEST(FarmTest, BurstOf30SpreadsEvenlyOverEqualIdleNodes) {
  Farm farm;
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;
  nlohmann::json jobs = nlohmann::json::array();
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    ids.push_back("burst-" + std::to_string(i));
    jobs.push_back({{"id", ids.back()}, {"command", AppendCommand(farm, "1")}, {"requirements", {{"cores", 1}}}});
  }
  int status = 0;
  auto reply = farm.Call("POST", "/api/v1/jobs", nlohmann::json{{"jobs", jobs}}.dump(), &status);
  ASSERT_EQ(status, 201) << reply.dump();
  auto done = farm.WaitTerminal(ids, 60);
  for (const auto& id : ids) ASSERT_EQ(done[id].value("status", ""), "completed") << done[id].dump();
  auto counts = CountBy(done, "assigned_to");
  ASSERT_EQ(counts.size(), 3u) << nlohmann::json(counts).dump();
  for (const auto& [node, count] : counts) {
    EXPECT_GE(count, 9) << node << " " << nlohmann::json(counts).dump();
    EXPECT_LE(count, 11) << node << " " << nlohmann::json(counts).dump();
  }
}

}  // namespace
}  // namespace buildfarm::testing
