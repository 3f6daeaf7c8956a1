// build-cli's node commands and its error handling, run as a child process against FakeScheduler:
// each request is what docs/api.md expects, and the output and exit code are what a user expects.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_scheduler.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

using nlohmann::json;

constexpr const char* kNodes = R"({"nodes": [
  {"name": "build1", "state": "ready", "labels": {"os": "linux"}, "profiles": ["gcc"],
   "capacity": {"cores": 8, "memory_bytes": 17179869184, "disk_bytes": 1000000000000},
   "reservations": {"cores": 2, "memory_bytes": 2147483648, "disk_bytes": 0},
   "running_jobs": ["j1", "j2"], "last_heartbeat": "2026-11-26T23:59:01.123Z", "backup": "build2",
   "metrics": {"cpu_utilization": 0.35, "memory_available_bytes": 12884901888, "disk_available_bytes": 53687091200,
               "temperature_celsius": 51, "probe_rtt_seconds": {"git": 0.012}, "sampled_at": "2026-11-26T23:59:00Z",
               "age_seconds": 3}},
  {"name": "build2", "state": "cordoned", "labels": {}, "profiles": [],
   "capacity": {"cores": 4, "memory_bytes": 8589934592, "disk_bytes": 0},
   "reservations": {"cores": 0, "memory_bytes": 0, "disk_bytes": 0}, "running_jobs": []}]})";

constexpr const char* kMetrics =
    "# TYPE buildfarm_scheduler_jobs gauge\n"
    "buildfarm_scheduler_jobs{status=\"blocked\"} 1\n"
    "buildfarm_scheduler_jobs{status=\"queued\"} 7\n"
    "buildfarm_scheduler_jobs{status=\"running\"} 2\n"
    "buildfarm_scheduler_jobs{status=\"completed\"} 40\n"
    "buildfarm_scheduler_queue_wait_seconds_count 3\n";

constexpr const char* kSummary =
    R"({"jobs": {"blocked": 1, "queued": 7, "assigned": 0, "running": 2, "completed": 40, "failed": 0, "cancelled": 0}})";

class CliNodesTest : public ::testing::Test {
 protected:
  CliRun Run(const std::vector<std::string>& args) {
    return RunBinary(args, {"BUILDFARM_URL=" + fake.url(), "BUILDFARM_TOKEN=secret-token"});
  }
  FakeScheduler fake;
};

TEST_F(CliNodesTest, StatusShowsNodesAndJobCounts) {
  fake.Respond("GET /api/v1/nodes", 200, kNodes);
  fake.Respond("GET /api/v1/summary", 200, kSummary);
  CliRun run = Run({"status"});
  ASSERT_EQ(run.code, 0) << run.output;
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/api/v1/nodes");
  EXPECT_EQ(requests[0].authorization, "Bearer secret-token");
  EXPECT_EQ(requests[1].path, "/api/v1/summary");
  EXPECT_NE(run.output.find("NAME    STATE     CORES  MEMORY        CPU  MEM AVAIL  DISK AVAIL  TEMP  METRICS AGE  RUNNING JOBS\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("build1  ready     2/8    2.0Gi/16.0Gi  35%  12.0Gi     50.0Gi      51C   3.0s         j1,j2\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("build2  cordoned  0/4    0/8.0Gi       -    -          -           -     -            -\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("build2  cordoned  0/4"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("jobs:\nblocked  queued  assigned  running  completed  failed  cancelled\n"
                            "1        7       0         2        40         0       0"),
            std::string::npos)
      << run.output;
}

// A scheduler from before GET /api/v1/summary (404) still has its counts on /metrics.
TEST_F(CliNodesTest, StatusFallsBackToMetricsOnAnOlderScheduler) {
  fake.Respond("GET /api/v1/nodes", 200, kNodes);
  fake.Respond("GET /metrics", 200, kMetrics, "text/plain; version=0.0.4");
  CliRun run = Run({"status"});
  ASSERT_EQ(run.code, 0) << run.output;
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].path, "/api/v1/summary");
  EXPECT_EQ(requests[2].path, "/metrics");
  EXPECT_NE(run.output.find("1        7       0         2        40         0       0"), std::string::npos) << run.output;
}

TEST_F(CliNodesTest, StatusJsonHoldsNodesAndCounts) {
  fake.Respond("GET /api/v1/nodes", 200, kNodes);
  fake.Respond("GET /api/v1/summary", 200, kSummary);
  CliRun run = Run({"status", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  json out = json::parse(run.output);
  EXPECT_EQ(out["nodes"], json::parse(kNodes)["nodes"]);
  EXPECT_EQ(out["jobs"]["queued"], 7);
  EXPECT_EQ(out["jobs"]["failed"], 0);
}

TEST_F(CliNodesTest, StatusWithoutMetricsStillShowsNodes) {
  fake.Respond("GET /api/v1/nodes", 200, kNodes);
  CliRun run = Run({"status"});
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("build1"), std::string::npos);
  EXPECT_NE(run.output.find("counts unavailable"), std::string::npos) << run.output;
}

TEST_F(CliNodesTest, NodesListsAndShowsOne) {
  fake.Respond("GET /api/v1/nodes", 200, kNodes);
  fake.Respond("GET /api/v1/nodes/build1", 200, json::parse(kNodes)["nodes"][0].dump());
  CliRun run = Run({"nodes"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("build2  cordoned"), std::string::npos) << run.output;

  run = Run({"nodes", "build1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().path, "/api/v1/nodes/build1");
  for (const char* line : {"state:             ready", "labels:            os=linux", "running jobs:      j1,j2",
                           "backup:            build2", "probe rtt git:     12ms", "cpu:               35%"}) {
    EXPECT_NE(run.output.find(line), std::string::npos) << line << "\n" << run.output;
  }

  run = Run({"nodes", "build1", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(json::parse(run.output), json::parse(kNodes)["nodes"][0]);
}

TEST_F(CliNodesTest, CordonUncordonDrainPostToTheNode) {
  for (const char* action : {"cordon", "uncordon", "drain"}) {
    fake.Respond(std::string("POST /api/v1/nodes/build2/") + action, 200, R"({"name": "build2", "state": "x"})");
    CliRun run = Run({action, "build2"});
    ASSERT_EQ(run.code, 0) << run.output;
    RecordedRequest request = fake.last();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path, std::string("/api/v1/nodes/build2/") + action);
    EXPECT_EQ(request.authorization, "Bearer secret-token");
    EXPECT_NE(run.output.find("node build2"), std::string::npos) << run.output;
  }
  EXPECT_NE(Run({"drain", "build2"}).output.find("running jobs finish"), std::string::npos);
}

TEST_F(CliNodesTest, UnknownNodeIsARefusalWithTheServersMessage) {
  fake.Respond("POST /api/v1/nodes/nope/cordon", 404, R"({"error": "no node named nope"})");
  CliRun run = Run({"cordon", "nope"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: no node named nope (404)\n");
}

TEST_F(CliNodesTest, RejectedTokenTellsHowToGetOne) {
  fake.Respond("GET /api/v1/nodes", 401, R"({"error": "unknown token"})");
  CliRun run = Run({"nodes"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: token rejected (401): set BUILDFARM_TOKEN or run ./deploy/quickstart.sh\n");
}

TEST_F(CliNodesTest, ForbiddenSaysTheRoleMayNot) {
  fake.Respond("POST /api/v1/nodes/build1/drain", 403, R"({"error": "viewer tokens may only read"})");
  CliRun run = Run({"drain", "build1"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("viewer tokens may only read (403)"), std::string::npos) << run.output;
}

TEST_F(CliNodesTest, NonJsonErrorBodyIsShownAsText) {
  fake.Respond("GET /api/v1/nodes", 502, "Bad Gateway\nmore", "text/plain");
  CliRun run = Run({"nodes"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: Bad Gateway (502)\n");
}

TEST_F(CliNodesTest, GarbledSuccessBodyIsARefusalNotACrash) {
  fake.Respond("GET /api/v1/nodes", 200, "{\"nodes\": [");
  CliRun run = Run({"nodes"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("not JSON"), std::string::npos) << run.output;
  fake.Respond("GET /api/v1/nodes", 200, R"({"nodes": 5})");
  EXPECT_EQ(Run({"nodes"}).code, 0);
}

TEST(CliUnreachableTest, UnreachableServerExitsOne) {
  std::string url;
  {
    FakeScheduler stopped;
    url = stopped.url();
  }
  CliRun run = RunBinary({"status"}, {"BUILDFARM_URL=" + url, "BUILDFARM_TOKEN=t"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("cannot reach the scheduler"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(url), std::string::npos) << run.output;
}

TEST(CliConfigFileTest, BinaryReadsConfigNamedByEnvironmentAndFlagsWin) {
  FakeScheduler fake;
  fake.Respond("GET /api/v1/nodes", 200, kNodes);
  TempDir dir;
  std::string config = dir.WriteFile("cli.yaml", "url: " + fake.url() + "\ntoken: config-token\n");
  CliRun run = RunBinary({"nodes"}, {"BUILDFARM_CONFIG=" + config});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().authorization, "Bearer config-token");

  run = RunBinary({"nodes"}, {"BUILDFARM_CONFIG=" + config, "BUILDFARM_TOKEN=env-token"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().authorization, "Bearer env-token");

  run = RunBinary({"--token", "flag-token", "nodes"}, {"BUILDFARM_CONFIG=" + config, "BUILDFARM_TOKEN=env-token"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().authorization, "Bearer flag-token");

  run = RunBinary({"nodes", "--url", "http://127.0.0.1:1", "--token=x"}, {"BUILDFARM_CONFIG=" + config});
  EXPECT_EQ(run.code, 1) << run.output;

  run = RunBinary({"nodes"}, {});
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_NE(run.output.find("BUILDFARM_URL"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace buildfarm::testing
