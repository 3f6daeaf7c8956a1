// build-cli's job commands run as a child process against FakeScheduler: jobs, job, submit,
// cancel, retry, logs (with follow) and explain send what docs/api.md expects and print what a
// user expects.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"
#include "tests/cli/fake_scheduler.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {

using nlohmann::json;

constexpr const char* kJob = R"({"id": "j1", "command": "make -j2", "branch": "main", "commit": "abc123",
  "priority": 7, "build_type": "full", "profiles": ["gcc"], "requirements": {"cores": 2.0, "memory_bytes": 2147483648,
  "disk_bytes": 0}, "selector": {"os": "linux"}, "dependencies": ["j0"], "timeout_seconds": 3600, "max_retries": 2,
  "requester": "alice", "status": "running", "attempt": 1, "retry_count": 0, "assigned_to": "build1",
  "created_at": "2026-11-26T23:59:01.123Z", "exit_code": null})";

class CliJobsTest : public ::testing::Test {
 protected:
  std::vector<std::string> Env() { return {"BUILDFARM_URL=" + fake.url(), "BUILDFARM_TOKEN=tok", "USER=alice"}; }
  CliRun Run(const std::vector<std::string>& args) { return RunBinary(args, Env()); }
  FakeScheduler fake;
};

TEST_F(CliJobsTest, JobsSendsFiltersAndPrintsATable) {
  fake.Respond("GET /api/v1/jobs", 200, std::string(R"({"jobs": [)") + kJob + R"(], "next_cursor": "c2"})");
  CliRun run = Run({"jobs", "--status", "running", "--node", "build1", "--branch", "main", "--limit", "5"});
  ASSERT_EQ(run.code, 0) << run.output;
  RecordedRequest request = fake.last();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.path, "/api/v1/jobs");
  EXPECT_EQ(request.query, "branch=main&limit=5&node=build1&status=running");
  EXPECT_EQ(request.authorization, "Bearer tok");
  EXPECT_NE(run.output.find("ID  STATUS   PRI  NODE    BRANCH  CREATED                   COMMAND\n"
                            "j1  running  7    build1  main    2026-11-26T23:59:01.123Z  make -j2\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("--cursor c2"), std::string::npos) << run.output;
}

TEST_F(CliJobsTest, JobsAllFollowsCursors) {
  fake.Respond("GET /api/v1/jobs?limit=1", 200, R"({"jobs": [{"id": "a"}], "next_cursor": "c2"})");
  fake.Respond("GET /api/v1/jobs?cursor=c2&limit=1", 200, R"({"jobs": [{"id": "b"}], "next_cursor": "c3"})");
  fake.Respond("GET /api/v1/jobs?cursor=c3&limit=1", 200, R"({"jobs": [{"id": "c"}]})");
  CliRun run = Run({"jobs", "--all", "--limit", "1", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.requests().size(), 3u);
  EXPECT_EQ(json::parse(run.output), json::parse(R"({"jobs": [{"id": "a"}, {"id": "b"}, {"id": "c"}]})"));
}

TEST_F(CliJobsTest, JobsJsonIsTheServersPage) {
  std::string page = R"({"jobs": [{"id": "a"}], "next_cursor": "c2"})";
  fake.Respond("GET /api/v1/jobs", 200, page);
  CliRun run = Run({"--json", "jobs"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(json::parse(run.output), json::parse(page));
}

TEST_F(CliJobsTest, JobShowsFieldsOrJson) {
  fake.Respond("GET /api/v1/jobs/j1", 200, kJob);
  CliRun run = Run({"job", "j1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().path, "/api/v1/jobs/j1");
  for (const char* line : {"id:               j1\n", "status:           running\n", "selector:         os=linux\n",
                           "requirements:     cores=2,disk_bytes=0,memory_bytes=2147483648\n",
                           "dependencies:     j0\n"}) {
    EXPECT_NE(run.output.find(line), std::string::npos) << line << run.output;
  }
  EXPECT_EQ(run.output.find("exit_code"), std::string::npos) << "null fields are left out";
  run = Run({"job", "j1", "--json"});
  EXPECT_EQ(json::parse(run.output), json::parse(kJob));
}

TEST_F(CliJobsTest, SubmitSendsEveryFlagAndPrintsTheId) {
  fake.Respond("POST /api/v1/jobs", 201, kJob);
  CliRun run = Run({"submit", "--command", "make -j2", "--depends-on", "a", "--depends-on", "b", "--priority", "7",
                    "--cores", "2", "--memory", "2Gi", "--disk", "1G", "--selector", "os=linux", "--selector",
                    "arch=amd64", "--profile", "gcc", "--timeout", "600", "--max-retries", "0", "--branch", "main",
                    "--commit", "abc123", "--build-type", "test", "--id", "j1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output, "j1\n");
  RecordedRequest request = fake.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/api/v1/jobs");
  EXPECT_EQ(request.authorization, "Bearer tok");
  EXPECT_EQ(json::parse(request.body), json::parse(R"({
    "id": "j1", "command": "make -j2", "dependencies": ["a", "b"], "priority": 7,
    "requirements": {"cores": 2.0, "memory_bytes": 2147483648, "disk_bytes": 1000000000},
    "selector": {"os": "linux", "arch": "amd64"}, "profiles": ["gcc"], "timeout_seconds": 600, "max_retries": 0,
    "branch": "main", "commit": "abc123", "build_type": "test", "requester": "alice"})"));
}

TEST_F(CliJobsTest, SubmitSendsOnlyWhatWasGivenSoServerDefaultsApply) {
  fake.Respond("POST /api/v1/jobs", 201, kJob);
  CliRun run = Run({"submit", "--command", "make", "--requester", "bob", "--timeout", "2h", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(json::parse(fake.last().body),
            json::parse(R"({"command": "make", "requester": "bob", "timeout_seconds": 7200})"));
  EXPECT_EQ(json::parse(run.output), json::parse(kJob));
}

TEST_F(CliJobsTest, SubmitRefusalsExitOne) {
  fake.Respond("POST /api/v1/jobs", 400, R"({"error": "unknown dependency j9", "field": "dependencies/0"})");
  CliRun run = Run({"submit", "--command", "make", "--depends-on", "j9"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: dependencies/0: unknown dependency j9 (400)\n");
  fake.Respond("POST /api/v1/jobs", 409, R"({"error": "job j1 already exists"})");
  run = Run({"submit", "--command", "make", "--id", "j1"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: job j1 already exists (409)\n");
}

TEST_F(CliJobsTest, SubmitFileSendsTheGraph) {
  fake.Respond("POST /api/v1/jobs", 201, R"({"jobs": [{"id": "a"}, {"id": "b"}]})");
  TempDir dir;
  std::string graph = dir.WriteFile("graph.json", R"({"jobs": [{"id": "a", "command": "make"},
      {"id": "b", "command": "make test", "dependencies": ["a"], "requester": "ci"}]})");
  CliRun run = Run({"submit", "--file", graph});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output, "a\nb\n");
  EXPECT_EQ(json::parse(fake.last().body), json::parse(R"({"jobs": [
      {"id": "a", "command": "make", "requester": "alice"},
      {"id": "b", "command": "make test", "dependencies": ["a"], "requester": "ci"}]})"));

  std::string list = dir.WriteFile("list.json", R"([{"id": "a", "command": "make"}])");
  run = Run({"submit", "--file", list, "--requester", "zed"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(json::parse(fake.last().body), json::parse(R"({"jobs": [{"id": "a", "command": "make", "requester": "zed"}]})"));

  std::string single = dir.WriteFile("single.json", R"({"command": "make"})");
  run = Run({"submit", "--file", single});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(json::parse(fake.last().body), json::parse(R"({"jobs": [{"command": "make", "requester": "alice"}]})"));

  std::string broken = dir.WriteFile("broken.json", "{\"jobs\": [");
  run = Run({"submit", "--file", broken});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.output.find("--file"), std::string::npos) << run.output;
}

TEST_F(CliJobsTest, CancelAndRetry) {
  fake.Respond("POST /api/v1/jobs/j1/cancel", 200, R"({"id": "j1", "status": "cancelled"})");
  CliRun run = Run({"cancel", "j1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output, "job j1: cancelled\n");
  EXPECT_EQ(fake.last().method, "POST");
  EXPECT_EQ(fake.last().path, "/api/v1/jobs/j1/cancel");

  fake.Respond("POST /api/v1/jobs/j1/retry", 200, R"({"id": "j1", "status": "queued"})");
  run = Run({"retry", "j1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output, "job j1: queued\n");
  EXPECT_EQ(fake.last().path, "/api/v1/jobs/j1/retry");

  fake.Respond("POST /api/v1/jobs/j2/cancel", 409, R"({"error": "job j2 is already completed"})");
  run = Run({"cancel", "j2"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: job j2 is already completed (409)\n");
}

TEST_F(CliJobsTest, IdsAreEncodedInPaths) {
  fake.Respond("GET /api/v1/jobs/a b", 200, R"({"id": "a b"})");
  CliRun run = Run({"job", "a b", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(fake.last().path, "/api/v1/jobs/a b");
}

TEST_F(CliJobsTest, LogsPrintsTheLog) {
  fake.Respond("GET /api/v1/jobs/j1/log", 200, "line one\nline two\n", "text/plain");
  CliRun run = Run({"logs", "j1", "--offset", "5"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output, "line one\nline two\n");
  EXPECT_EQ(fake.last().query, "limit=1048576&offset=5");
  fake.Respond("GET /api/v1/jobs/j9/log", 404, R"({"error": "no job j9"})");
  run = Run({"logs", "j9"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: no job j9 (404)\n");
}

// The scheduler answers at most 1 MiB per read: a full page is followed by a read from where it ended,
// until a shorter page.
TEST_F(CliJobsTest, LogsReadsALongLogPageByPage) {
  const std::string page(1 << 20, 'a');
  fake.Respond("GET /api/v1/jobs/j1/log?limit=1048576&offset=0", 200, page, "text/plain");
  fake.Respond("GET /api/v1/jobs/j1/log?limit=1048576&offset=1048576", 200, page, "text/plain");
  fake.Respond("GET /api/v1/jobs/j1/log?limit=1048576&offset=2097152", 200, "the end\n", "text/plain");
  CliRun run = Run({"logs", "j1"});
  ASSERT_EQ(run.code, 0) << run.output.substr(0, 200);
  EXPECT_EQ(run.output, page + page + "the end\n");
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].query, "limit=1048576&offset=2097152");
  run = Run({"logs", "j1", "--json"});
  ASSERT_EQ(run.code, 0) << run.output.substr(0, 200);
  json reply = json::parse(run.output, nullptr, false);
  ASSERT_TRUE(reply.is_object()) << run.output.substr(0, 200);
  EXPECT_EQ(reply["log"].get<std::string>().size(), (std::size_t{2} << 20) + 8);
  EXPECT_EQ(reply["offset"], 0);
}

TEST_F(CliJobsTest, LogsFollowPrintsChunksAsTheyArrive) {
  fake.Respond("GET /api/v1/jobs/j1/log", 200, "so far\n", "text/plain");
  fake.SetLogStream("first chunk\n", "second chunk\n");
  std::vector<std::string> argv{"env", "-i"};
  for (const auto& e : Env()) argv.push_back(e);
  argv.insert(argv.end(), {BinaryPath("cli/build-cli"), "logs", "-f", "j1"});
  ChildProcess child(argv);
  std::string error;
  ASSERT_TRUE(child.Start(&error)) << error;
  // The stream holds back its second chunk until the first has been printed.
  ASSERT_TRUE(child.WaitForLogLine("first chunk", 20)) << child.Log();
  EXPECT_EQ(child.Log().find("second chunk"), std::string::npos);
  fake.ReleaseLogStream();
  ASSERT_TRUE(child.WaitForLogLine("second chunk", 20)) << child.Log();
  EXPECT_TRUE(Eventually([&] { return !child.Running(); }, 20, "build-cli logs -f exiting after the last chunk"));
  EXPECT_EQ(child.Stop(), 0) << child.Log();
  EXPECT_EQ(child.Log(), "so far\nfirst chunk\nsecond chunk\n");
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].query, "limit=1048576&offset=0");
  EXPECT_EQ(requests[1].query, "follow=1&offset=7");
  EXPECT_EQ(requests[1].authorization, "Bearer tok");
}

TEST_F(CliJobsTest, LogsFollowOfAnUnknownJobIsARefusalNotAStream) {
  fake.Respond("GET /api/v1/jobs/j9/log", 404, R"({"error": "no job j9"})");
  fake.SetLogStream("must not be read\n", "");
  CliRun run = Run({"logs", "-f", "j9"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: no job j9 (404)\n");
  // The log, then whether j9 is a node; never the stream.
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].path, "/api/v1/nodes/j9");
}

TEST_F(CliJobsTest, AssignPinsTheJobToTheNode) {
  fake.Respond("POST /api/v1/jobs/j1/assign", 200, R"({"id": "j1", "status": "queued", "pinned_node": "build2"})");
  CliRun run = Run({"assign", "j1", "build2"});
  ASSERT_EQ(run.code, 0) << run.output;
  RecordedRequest request = fake.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/api/v1/jobs/j1/assign");
  EXPECT_EQ(json::parse(request.body), json({{"node", "build2"}}));
  EXPECT_EQ(run.output, "job j1 pinned to build2 (queued): it runs there once the node is up and has room\n");
  run = Run({"assign", "j1", "build2", "--json"});
  EXPECT_EQ(json::parse(run.output)["pinned_node"], "build2");
  fake.Respond("POST /api/v1/jobs/j1/assign", 400, R"({"error": "unknown node build9", "field": "node"})");
  run = Run({"assign", "j1", "build9"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: node: unknown node build9 (400)\n");
  EXPECT_EQ(Run({"assign", "j1"}).code, 2);
}

TEST_F(CliJobsTest, LogsOfANodeShowTheJobRunningThere) {
  fake.Respond("GET /api/v1/nodes/build1", 200, R"({"name": "build1", "running_jobs": ["j1", "j2"]})");
  fake.Respond("GET /api/v1/jobs/j1/log", 200, "j1 output\n", "text/plain");
  CliRun run = Run({"logs", "build1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("j1 output\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("node build1 runs 2 jobs (j1,j2); showing j1"), std::string::npos) << run.output;
  EXPECT_EQ(fake.last().path, "/api/v1/jobs/j1/log");

  run = Run({"logs", "build1", "--json"});
  ASSERT_EQ(run.code, 0) << run.output;
  auto reply = json::parse(run.output.substr(run.output.find('{')));
  EXPECT_EQ(reply, json({{"job", "j1"}, {"offset", 0}, {"log", "j1 output\n"}}));

  fake.Respond("GET /api/v1/nodes/build2", 200, R"({"name": "build2", "running_jobs": []})");
  run = Run({"logs", "build2"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.output, "build-cli: node build2 is running no job now (its past jobs: build-cli jobs --node build2)\n");
  EXPECT_EQ(Run({"logs", "-f", "j1", "--json"}).code, 2);
}

TEST_F(CliJobsTest, ExplainShowsWhyEachNodeFitsOrNot) {
  std::string body = R"({"job": "j1", "nodes": [
    {"node": "build1", "feasible": false, "total": 0,
     "filters": [{"plugin": "NodeReady", "verdict": "fits", "reason": ""},
                 {"plugin": "ResourceFit", "verdict": "unschedulable", "reason": "needs 8 cores, 2 free"}],
     "scores": []},
    {"node": "build2", "feasible": true, "total": 170.333333,
     "filters": [{"plugin": "NodeReady", "verdict": "fits", "reason": ""}],
     "scores": [{"plugin": "LeastLoaded", "score": 80, "weight": 2}, {"plugin": "MemoryHeadroom", "score": 10.333333, "weight": 1}]}]})";
  fake.Respond("GET /api/v1/jobs/j1/explain", 200, body);
  CliRun run = Run({"explain", "j1"});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output,
            "job j1\n"
            "NODE    FEASIBLE  TOTAL  WHY\n"
            "build1  no        -      ResourceFit unschedulable: needs 8 cores, 2 free\n"
            "build2  yes       170.3  LeastLoaded=80x2 MemoryHeadroom=10.3x1\n");
  run = Run({"explain", "j1", "--json"});
  EXPECT_EQ(json::parse(run.output), json::parse(body));
}

}  // namespace
}  // namespace buildfarm::testing
