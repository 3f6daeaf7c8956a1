// Failover end to end on loopback: 3 real exporters and 3 real agents, the real scheduler (node n2's backup
// is n3), Debian's Prometheus evaluating the repository's recording and alert rules every second and
// Debian's Alertmanager (group_wait 1 s) calling the scheduler's webhook.
//
// While n2 runs long jobs its exporter and agent die. BuildNodeDown fires, Alertmanager posts it, the
// scheduler cordons n2 and its jobs complete on n3, each exactly once. n2 then comes back: the alert
// resolves and n2 is uncordoned after the (shortened) hold-down. A second test measures the lease path
// alone (no Alertmanager). Both print the time from the stop to the reassignment; the figures go into
// docs/PERFORMANCE.md. The tests assert behaviour, not speed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

constexpr int kJobs = 6;
constexpr int kNode2 = 1;  // index of n2

// Prometheus' ALERTS series, for failure messages.
std::string Alerts(Farm& farm) {
  int status = 0;
  return "ALERTS: " + farm.real_prometheus()->Query("ALERTS", &status).dump() + "\n";
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Cordons the other nodes, submits kJobs long jobs (each appends its id to the shared file when it
// finishes), waits until all run on n2, then lets the other nodes take work again.
std::vector<std::string> RunLongJobsOnNode2(Farm& farm) {
  std::vector<std::string> ids;
  for (const char* other : {"n1", "n3"}) {
    int status = 0;
    farm.Call("POST", std::string("/api/v1/nodes/") + other + "/cordon", "", &status);
    EXPECT_EQ(status, 200);
  }
  for (int i = 0; i < kJobs; ++i) {
    int status = 0;
    auto job = farm.Call("POST", "/api/v1/jobs",
                         nlohmann::json{{"command", "sleep 6; echo $BUILDFARM_JOB_ID >> " + farm.shared_file()},
                                        {"max_retries", 3}}.dump(),
                         &status);
    EXPECT_EQ(status, 201) << job.dump();
    ids.push_back(job.value("id", ""));
  }
  EXPECT_TRUE(Eventually(
      [&] {
        return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
          auto job = farm.Job(id);
          return job.value("status", "") == "running" && job.value("assigned_to", "") == "n2";
        });
      },
      30, "every job running on n2"))
      << farm.Logs();
  for (const char* other : {"n1", "n3"}) farm.Call("POST", std::string("/api/v1/nodes/") + other + "/uncordon");
  return ids;
}

struct Reassignment {
  double first_record_seconds = -1;  // stop -> the first failover record of n2
  double all_moved_seconds = -1;     // stop -> every job has a new attempt on another node
  nlohmann::json record;
};

// Stops n2 and polls (at most `timeout` s) until its jobs have moved; prints the latencies under `path`.
Reassignment StopNode2AndWait(Farm& farm, const std::vector<std::string>& ids, const std::string& path,
                              double timeout = 60) {
  const auto stopped = std::chrono::steady_clock::now();
  farm.StopNode(kNode2);
  Reassignment out;
  PollUntil([&] {
    if (out.first_record_seconds < 0) {
      auto records = farm.Call("GET", "/api/v1/failovers");
      for (const auto& record : records.value("failovers", nlohmann::json::array())) {
        if (record.value("source", "") == "n2") {
          out.first_record_seconds = Since(stopped);
          out.record = record;
        }
      }
    }
    bool moved = std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
      auto job = farm.Job(id);
      return job.value("attempt", 0) >= 2 && job.value("assigned_to", "") != "n2";
    });
    if (moved && out.all_moved_seconds < 0) out.all_moved_seconds = Since(stopped);
    return moved && out.first_record_seconds >= 0;
  }, timeout);
  std::cout << "[ latency  ] " << path << ": stop -> failover " << out.first_record_seconds << " s, stop -> all "
            << ids.size() << " jobs reassigned " << out.all_moved_seconds << " s" << std::endl;
  return out;
}

// Every job completed, and its id is in the shared file exactly once (only a finished run writes it).
void ExpectEachCompletedExactlyOnce(Farm& farm, const std::vector<std::string>& ids, const std::string& node) {
  auto jobs = farm.WaitTerminal(ids, 60);
  for (const auto& id : ids) {
    EXPECT_EQ(jobs[id].value("status", ""), "completed") << jobs[id].dump();
    EXPECT_EQ(jobs[id].value("assigned_to", ""), node) << jobs[id].dump();
  }
  std::vector<std::string> lines = farm.SharedFileLines();
  std::multiset<std::string> written(lines.begin(), lines.end());
  for (const auto& id : ids) EXPECT_EQ(written.count(id), 1u) << id;
  EXPECT_EQ(lines.size(), ids.size());
}

TEST(FailoverE2E, AlertPathMovesNode2sJobsToNode3AndUncordonsAfterTheHoldDown) {
  FarmOptions options;
  options.real_prometheus = true;
  options.alertmanager = true;
  options.backups = {{"n2", "n3"}};
  options.hold_down = "3s";
  // A lease far longer than the alert path takes, so the alert (not the lease) moves the work.
  options.lease = "60s";
  options.heartbeat = "1s";
  options.cycle_interval = "200ms";
  Farm farm(options);
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;

  std::vector<std::string> ids = RunLongJobsOnNode2(farm);
  ASSERT_FALSE(HasFailure());
  Reassignment moved = StopNode2AndWait(farm, ids, "alert path (scrape 1s, eval 1s, for 1s, group_wait 1s)");
  ASSERT_GE(moved.all_moved_seconds, 0) << Alerts(farm) << farm.Logs();
  EXPECT_EQ(moved.record.value("reason", ""), "BuildNodeDown") << moved.record.dump();
  EXPECT_EQ(moved.record.value("target", ""), "n3");
  auto moved_ids = moved.record.value("jobs", std::vector<std::string>{});
  EXPECT_EQ(std::set<std::string>(moved_ids.begin(), moved_ids.end()), std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(farm.Call("GET", "/api/v1/nodes/n2").value("state", ""), "cordoned");

  ExpectEachCompletedExactlyOnce(farm, ids, "n3");
  httplib::Client metrics_client("http://" + farm.address());
  auto metrics = metrics_client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("buildfarm_jobs_completed_total{node=\"n3\",result=\"completed\"} " +
                               std::to_string(kJobs)),
            std::string::npos);
  // n2's counters exist from its registration (at 0), and stay there.
  for (const char* result : {"completed", "failed"}) {
    EXPECT_NE(metrics->body.find("buildfarm_jobs_completed_total{node=\"n2\",result=\"" + std::string(result) + "\"} 0\n"),
              std::string::npos)
        << "no attempt of n2 was reported";
  }

  // n2 comes back: still cordoned until the alert resolves and the hold-down passes with healthy heartbeats.
  const auto restarted = std::chrono::steady_clock::now();
  ASSERT_TRUE(farm.StartNode(kNode2, &error)) << error;
  EXPECT_EQ(farm.Call("GET", "/api/v1/nodes/n2").value("state", ""), "cordoned");
  ASSERT_TRUE(EventuallyValue([&] { return farm.Call("GET", "/api/v1/nodes/n2").value("state", ""); },
                              [](const std::string& state) { return state == "ready"; }, 60,
                              "n2 uncordoned after its alert resolved and the hold-down passed")
                  .result)
      << Alerts(farm) << farm.Logs();
  const double uncordoned = Since(restarted);
  std::cout << "[ latency  ] restart -> n2 uncordoned (alert resolved + 3 s hold-down): " << uncordoned << " s"
            << std::endl;
  EXPECT_GE(uncordoned, 3.0) << "not before the hold-down";
  EXPECT_NE(farm.scheduler().Log().find("node uncordoned after the hold-down"), std::string::npos);
}

TEST(FailoverE2E, LeasePathMovesNode2sJobsToNode3WithoutAlertmanager) {
  FarmOptions options;
  options.backups = {{"n2", "n3"}};
  options.lease = "5s";
  options.heartbeat = "1s";
  Farm farm(options);
  std::string error;
  ASSERT_TRUE(farm.Start(&error)) << error;

  std::vector<std::string> ids = RunLongJobsOnNode2(farm);
  ASSERT_FALSE(HasFailure());
  Reassignment moved = StopNode2AndWait(farm, ids, "lease path (lease 5s, heartbeat 1s)");
  ASSERT_GE(moved.all_moved_seconds, 0) << farm.Logs();
  EXPECT_EQ(moved.record.value("reason", ""), "lease");
  EXPECT_EQ(moved.record.value("target", ""), "n3");
  EXPECT_EQ(farm.Call("GET", "/api/v1/nodes/n2").value("state", ""), "down");
  ExpectEachCompletedExactlyOnce(farm, ids, "n3");
}

}  // namespace
}  // namespace buildfarm::testing
