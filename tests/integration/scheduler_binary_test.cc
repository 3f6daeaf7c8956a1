// buildfarm-scheduler as a process: flags and config errors, kill -9 in the middle of a run, the Alertmanager
// webhook over HTTP (and its idempotency across a restart), /readyz.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "tests/support/eventually.h"
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

TEST(SchedulerBinaryTest, NoStorePathIsAnErrorNotAFileInTheWorkingDirectory) {
  TempDir dir;
  std::string output;
  std::string config = dir.WriteFile("nostore.yaml", "lease: 15s\n");
  // RunCommand inherits this test's environment; ctest sets no STATE_DIRECTORY.
  ASSERT_EQ(std::getenv("STATE_DIRECTORY"), nullptr);
  EXPECT_EQ(RunCommand({Scheduler(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0"}, &output), 2);
  EXPECT_NE(output.find("store.path: required"), std::string::npos) << output;
  std::string missing_dir = dir.WriteFile("missing.yaml", "store: {path: " + dir.Join("no/such/s.db") + "}\n");
  EXPECT_EQ(RunCommand({Scheduler(), "--config.file=" + missing_dir, "--web.listen-address=127.0.0.1:0"}, &output), 2);
  EXPECT_NE(output.find("store.path: directory " + dir.Join("no/such")), std::string::npos) << output;
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
    auto graph = api.Call(
        "POST", "/api/v1/jobs", "admintok",
        R"({"jobs": [{"id": "a", "command": "x"}, {"id": "b", "command": "y", "dependencies": ["a"]}]})", &status);
    ASSERT_EQ(status, 201) << graph.dump();
    for (int i = 0; i < 5; ++i) {
      auto job = api.Call("POST", "/api/v1/jobs", "admintok", R"({"command": "sleep 1", "selector": {"os": "none"}})",
                          &status);
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
  auto a = EventuallyValue([&] { return api.Call("GET", "/api/v1/jobs/a", "admintok"); },
                           [](const nlohmann::json& job) { return job["status"] == "queued"; }, 10,
                           "job a requeued once b1's lease (2 s) ran out");
  EXPECT_TRUE(a.result);
  EXPECT_EQ(a.value["retry_count"], 1);
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

std::string FiringAlert(const std::string& node) {
  return R"({"version": "4", "status": "firing", "receiver": "scheduler", "alerts": [{"status": "firing",
    "labels": {"alertname": "BuildNodeDown", "node": ")" + node + R"(", "action": "failover"},
    "startsAt": "2026-11-27T03:10:00Z", "fingerprint": "0123abcd"}]})";
}

TEST(SchedulerBinaryTest, AlertmanagerWebhookCordonsAndFailsOverOnceEvenAcrossARestart) {
  TempDir dir;
  std::string config = dir.WriteFile(
      "scheduler.yaml", "store: {path: " + dir.Join("s.db") + "}\ntokens:\n"
      "  - {name: ops, role: admin, sha256: " + Sha256("admintok") + "}\n"
      "  - {name: am, role: viewer, sha256: " + Sha256("viewtok") + "}\n"
      "  - {name: b1, role: agent, node: b1, sha256: " + Sha256("b1tok") + "}\n"
      "  - {name: b2, role: agent, node: b2, sha256: " + Sha256("b2tok") + "}\n"
      "backups: {b1: b2}\ncycle_interval: 200ms\n");
  std::vector<std::string> argv{Scheduler(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0"};
  auto start = [&](ChildProcess& process) -> std::optional<std::string> {
    std::string error;
    if (!process.Start(&error)) return std::nullopt;
    return process.WaitForListenAddress();
  };
  ChildProcess first(argv, dir.Join("first.log"));
  auto address = start(first);
  ASSERT_TRUE(address) << first.Log();
  Api api(*address);
  int status = 0;
  api.Call("POST", "/api/v1/agents/register", "b1tok", R"({"name": "b1", "capacity": {"cores": 4}})", &status);
  ASSERT_EQ(status, 200);
  auto job = api.Call("POST", "/api/v1/jobs", "admintok", R"({"command": "sleep 60"})", &status);
  ASSERT_EQ(status, 201);
  const std::string id = job["id"];
  auto polled = api.Call("GET", "/api/v1/agents/b1/assignments?wait_seconds=10", "b1tok");
  ASSERT_EQ(polled["assignments"].size(), 1u) << polled.dump();
  api.Call("POST", "/api/v1/jobs/" + id + "/attempts/1/start", "b1tok", "", &status);
  ASSERT_EQ(status, 200);
  api.Call("POST", "/api/v1/agents/register", "b2tok", R"({"name": "b2", "capacity": {"cores": 4}})", &status);
  ASSERT_EQ(status, 200);

  httplib::Client anonymous("http://" + *address);
  auto no_token = anonymous.Post("/api/v1/alertmanager", FiringAlert("b1"), "application/json");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  api.Call("POST", "/api/v1/alertmanager", "viewtok", FiringAlert("b1"), &status);
  EXPECT_EQ(status, 403);
  auto malformed = api.Call("POST", "/api/v1/alertmanager", "admintok", R"({"version": "4", "alerts": [{}]})", &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(malformed.value("field", ""), "alerts[0].status") << malformed.dump();
  EXPECT_EQ(api.Call("GET", "/api/v1/nodes/b1", "admintok")["state"], "ready");

  api.Call("POST", "/api/v1/alertmanager", "admintok", FiringAlert("b1"), &status);
  EXPECT_EQ(status, 200);
  auto moved = EventuallyValue([&] { return api.Call("GET", "/api/v1/jobs/" + id, "admintok"); },
                               [](const nlohmann::json& job) { return job.value("assigned_to", "") == "b2"; }, 10,
                               "job " + id + " failed over to b2");
  EXPECT_TRUE(moved.result);
  EXPECT_EQ(moved.value["attempt"], 2);
  EXPECT_EQ(api.Call("GET", "/api/v1/nodes/b1", "admintok")["state"], "cordoned");
  api.Call("POST", "/api/v1/jobs/" + id + "/attempts/1/result", "b1tok", R"({"exit_code": 0})", &status);
  EXPECT_EQ(status, 409) << "b1's attempt is fenced";
  auto records = api.Call("GET", "/api/v1/failovers", "viewtok");
  ASSERT_EQ(records["failovers"].size(), 1u) << records.dump();
  EXPECT_EQ(records["failovers"][0]["reason"], "BuildNodeDown");
  EXPECT_EQ(records["failovers"][0]["target"], "b2");
  EXPECT_EQ(records["failovers"][0]["jobs"], nlohmann::json::array({id}));
  EXPECT_EQ(first.Stop(9), 128 + 9);

  // Alertmanager re-sends the same notification to the restarted scheduler: it is not acted on again.
  std::vector<std::string> debug_argv = argv;
  debug_argv.push_back("--log.level=debug");  // for "alert already handled"
  ChildProcess second(debug_argv, dir.Join("second.log"));
  address = start(second);
  ASSERT_TRUE(address) << second.Log();
  Api again(*address);
  again.Call("POST", "/api/v1/nodes/b1/uncordon", "admintok", "", &status);
  ASSERT_EQ(status, 200);
  again.Call("POST", "/api/v1/alertmanager", "admintok", FiringAlert("b1"), &status);
  EXPECT_EQ(status, 200);
  // The webhook answers before its worker handles the alerts; the worker says when it skipped this one.
  ASSERT_TRUE(second.WaitForLogLine("alert already handled", 10)) << second.Log();
  EXPECT_EQ(again.Call("GET", "/api/v1/nodes/b1", "admintok")["state"], "ready");
  EXPECT_EQ(again.Call("GET", "/api/v1/failovers", "admintok")["failovers"].size(), 1u);
  EXPECT_EQ(second.Stop(15), 0);
}

TEST(SchedulerBinaryTest, ReadyzIs503WithAReasonWhilePrometheusIsUnreachable) {
  TempDir dir;
  // Port 9 (discard) on loopback: nothing listens, so every query fails at once.
  std::string config =
      WriteConfig(dir, "prometheus: {url: 'http://127.0.0.1:9', refresh_interval: 200ms, timeout: 1s}\n");
  ChildProcess scheduler({Scheduler(), "--config.file=" + config, "--web.listen-address=127.0.0.1:0"},
                         dir.Join("s.log"));
  std::string error;
  ASSERT_TRUE(scheduler.Start(&error)) << error;
  auto address = scheduler.WaitForListenAddress();
  ASSERT_TRUE(address) << scheduler.Log();
  httplib::Client client("http://" + *address);
  auto readyz = EventuallyValue(
      [&] {
        auto ready = client.Get("/readyz");
        return ready ? std::to_string(ready->status) + " " + ready->body : std::string("no answer");
      },
      [](const std::string& reply) {
        return reply.rfind("503 ", 0) == 0 && reply.find("Prometheus") != std::string::npos;
      },
      5, "/readyz 503 naming Prometheus after the first failed refresh");
  ASSERT_TRUE(readyz.result);
  auto body = nlohmann::json::parse(readyz.value.substr(4), nullptr, false);
  EXPECT_NE(body.value("error", "").find("Prometheus"), std::string::npos) << readyz.value;
  auto live = client.Get("/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
}

}  // namespace
}  // namespace buildfarm::testing
