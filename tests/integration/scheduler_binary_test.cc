// buildfarm-scheduler as a process: flags and config errors, and kill -9 in the middle of a run.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::testing {
namespace {


std::string Scheduler() { return BinaryPath("scheduler/server/buildfarm-scheduler"); }

std::string Sha256(const std::string& text) {
  std::string out;
  RunCommand({"/bin/sh", "-c", "printf %s '" + text + "' | sha256sum | cut -d' ' -f1"}, &out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string WriteConfig(const TempDir& dir, const std::string& extra = "") {
  return dir.WriteFile("scheduler.yaml", "store: {path: " + dir.Join("s.db") + "}\ntokens:\n"
                       "  - {name: ops, role: admin, sha256: " + Sha256("admintok") + "}\n"
                       "  - {name: b1, role: agent, node: b1, sha256: " + Sha256("b1tok") + "}\n" + extra);
}

struct Api {
  explicit Api(const std::string& address) : client("http://" + address) { client.set_read_timeout(10, 0); }
  nlohmann::json Call(const std::string& method, const std::string& path, const std::string& token,
                      const std::string& body = "", int* status = nullptr) {
    httplib::Headers headers{{"Authorization", "Bearer " + token}};
    auto res = method == "GET" ? client.Get(path, headers) : client.Post(path, headers, body, "application/json");
    if (status != nullptr) *status = res ? res->status : 0;
    return res ? nlohmann::json::parse(res->body, nullptr, false) : nlohmann::json();
  }
  httplib::Client client;
};

TEST(SchedulerBinaryTest, BadFlagOrConfigKeyExitsTwoWithOneLine) {
  TempDir dir;
  std::string output;
  EXPECT_EQ(RunCommand({Scheduler(), "--no-such-flag"}, &output), 2);
  EXPECT_NE(output.find("no-such-flag"), std::string::npos) << output;
  std::string bad = dir.WriteFile("bad.yaml", "store: {path: x.db}\nleese: 15s\n");
  EXPECT_EQ(RunCommand({Scheduler(), "--config.file=" + bad, "--web.listen-address=127.0.0.1:0"}, &output), 2);
  EXPECT_NE(output.find("leese"), std::string::npos) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
  EXPECT_EQ(RunCommand({Scheduler(), "--version"}, &output), 0);
  EXPECT_NE(output.find("buildfarm-scheduler"), std::string::npos);
}

TEST(SchedulerBinaryTest, KillNineAndRestartKeepsEveryJobAndFailsOverTheLostNode) {
  TempDir dir;
  std::string config = WriteConfig(dir, "lease: 2s\nheartbeat: 500ms\ncycle_interval: 200ms\n");
  std::vector<std::string> argv{Scheduler(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0"};
  std::vector<std::string> ids;
  std::string running;
  {
    ChildProcess first(argv, dir.Join("first.log"));
    std::string error;
    ASSERT_TRUE(first.Start(&error)) << error;
    auto address = first.WaitForListenAddress();
    ASSERT_TRUE(address) << first.Log();
    Api api(*address);
    int status = 0;
    api.Call("POST", "/api/v1/agents/register", "b1tok", R"({"name": "b1", "capacity": {"cores": 4}})", &status);
    ASSERT_EQ(status, 200);
    auto graph = api.Call("POST", "/api/v1/jobs", "admintok",
                          R"({"jobs": [{"id": "a", "command": "x"}, {"id": "b", "command": "y", "dependencies": ["a"]}]})",
                          &status);
    ASSERT_EQ(status, 201) << graph.dump();
    for (int i = 0; i < 5; ++i) {
      auto job = api.Call("POST", "/api/v1/jobs", "admintok", R"({"command": "sleep 1", "selector": {"os": "none"}})", &status);
      ASSERT_EQ(status, 201);
      ids.push_back(job["id"]);
    }
    auto polled = api.Call("GET", "/api/v1/agents/b1/assignments?wait_seconds=10", "b1tok");
    ASSERT_EQ(polled["assignments"].size(), 1u) << polled.dump();
    running = polled["assignments"][0]["job"]["id"];
    ASSERT_EQ(running, "a");
    api.Call("POST", "/api/v1/jobs/a/attempts/1/start", "b1tok", "", &status);
    ASSERT_EQ(status, 200);
    EXPECT_EQ(first.Stop(9), 128 + 9);
  }
  ChildProcess second(argv, dir.Join("second.log"));
  std::string error;
  ASSERT_TRUE(second.Start(&error)) << error;
  auto address = second.WaitForListenAddress();
  ASSERT_TRUE(address) << second.Log();
  Api api(*address);
  for (const std::string& id : ids) EXPECT_EQ(api.Call("GET", "/api/v1/jobs/" + id, "admintok")["status"], "queued");
  EXPECT_EQ(api.Call("GET", "/api/v1/jobs/b", "admintok")["status"], "blocked");
  EXPECT_EQ(api.Call("GET", "/api/v1/jobs/a", "admintok")["status"], "running");
  EXPECT_EQ(api.Call("GET", "/api/v1/nodes/b1", "admintok")["capacity"]["cores"], 4.0);
  // b1's agent never comes back: after the lease its attempt is requeued, so nothing is stuck without an owner.
  nlohmann::json a;
  for (int i = 0; i < 200; ++i) {
    a = api.Call("GET", "/api/v1/jobs/a", "admintok");
    if (a["status"] == "queued") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(a["status"], "queued") << a.dump();
  EXPECT_EQ(a["retry_count"], 1);
  EXPECT_EQ(api.Call("GET", "/api/v1/nodes/b1", "admintok")["state"], "down");
  // It comes back and finishes the job with a new attempt.
  int status = 0;
  api.Call("POST", "/api/v1/agents/register", "b1tok", R"({"name": "b1", "capacity": {"cores": 4}})", &status);
  ASSERT_EQ(status, 200);
  auto polled = api.Call("GET", "/api/v1/agents/b1/assignments?wait_seconds=10", "b1tok");
  ASSERT_EQ(polled["assignments"].size(), 1u) << polled.dump();
  EXPECT_EQ(polled["assignments"][0]["attempt"], 2);
  api.Call("POST", "/api/v1/jobs/a/attempts/2/result", "b1tok", R"({"exit_code": 0})", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(second.Stop(15), 0);
}

}  // namespace
}  // namespace buildfarm::testing
