// Issue 11's bad-input findings against the real buildfarm-scheduler, buildfarm-agent and build-cli
// (two agents, no Prometheus), each with the input the issue gives: the deep-metadata crash and the
// memory of deep bodies (item 11), ids, NUL and control characters (8, 15), the other node's attempt
// (18), error bodies (19), and build-cli's escaping of server data (17).
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "tests/integration/farm_harness.h"

namespace buildfarm::testing {
namespace {

using nlohmann::json;

// Peak resident memory (VmHWM) of a process, in KiB; 0 when unreadable.
long PeakKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FarmOptions options;
    options.agents = 2;
    options.prometheus = false;
    farm_ = std::make_unique<Farm>(options);
    std::string error;
    ASSERT_TRUE(farm_->Start(&error)) << error;
  }

  struct Answer {
    int status = 0;
    json body;
    std::string allow;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& body, const std::string& token,
              const std::string& content_type = "application/json") {
    httplib::Client client("http://" + farm_->address());
    client.set_read_timeout(30, 0);
    httplib::Headers headers{{"Authorization", "Bearer " + token}};
    httplib::Result result = method == "GET"      ? client.Get(path, headers)
                             : method == "DELETE" ? client.Delete(path, headers)
                                                  : client.Post(path, headers, body, content_type);
    Answer answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.body = json::parse(result->body, nullptr, false);
    answer.allow = result->get_header_value("Allow");
    return answer;
  }
  Answer Admin(const std::string& method, const std::string& path, const std::string& body = "") {
    return Send(method, path, body, farm_->admin_token());
  }
  static std::string AgentToken(int index) { return "agent-token-" + std::to_string(index + 1); }

  void ExpectError(const Answer& answer, int status, const std::string& field, const std::string& context) {
    EXPECT_EQ(answer.status, status) << context << ": " << answer.body.dump() << "\n" << farm_->Logs();
    EXPECT_TRUE(answer.body.is_object() && answer.body.contains("error")) << context << ": " << answer.body.dump();
    if (answer.body.is_object()) EXPECT_EQ(answer.body.value("field", ""), field) << context << ": " << answer.body.dump();
  }

  std::unique_ptr<Farm> farm_;
};

// Item 11: a message whose metadata nests 60,000 objects (360 KB, an agent token) killed the scheduler
// with SIGSEGV; 32 concurrent 1 MiB `[[[...]]]` bodies took 1.1 GB.
TEST_F(BadInputTest, DeepNestingIsRefusedAndNeitherCrashesNorBloatsTheScheduler) {
  std::string metadata;
  for (int i = 0; i < 60000; ++i) metadata += R"({"a":)";
  metadata += "{}" + std::string(60000, '}');
  const std::string message = R"({"from": "n1", "to": "all", "subject": "deep", "metadata": )" + metadata + "}";
  ExpectError(Send("POST", "/api/v1/messages", message, AgentToken(0)), 400, "body", "deep metadata");
  ASSERT_TRUE(farm_->scheduler().Running()) << farm_->Logs();

  const long before = PeakKib(farm_->scheduler().pid());
  const std::string deep = std::string(1 << 19, '[') + std::string(1 << 19, ']');
  std::vector<std::future<int>> answers;
  for (int i = 0; i < 32; ++i) {
    answers.push_back(std::async(std::launch::async, [&] { return Admin("POST", "/api/v1/jobs", deep).status; }));
  }
  for (auto& answer : answers) EXPECT_EQ(answer.get(), 400);
  ASSERT_TRUE(farm_->scheduler().Running()) << farm_->Logs();
  const long after = PeakKib(farm_->scheduler().pid());
  ASSERT_GT(before, 0);
  // The bodies themselves are 32 MiB; no parse tree is built for them (it was ~1.1 GB).
  EXPECT_LT(after - before, 256L * 1024) << "peak grew by " << (after - before) << " KiB";
  int status = 0;
  farm_->Call("GET", "/healthz", "", &status);
  EXPECT_EQ(status, 200);
}

// Items 8 and 15: the id with `/` that nothing could read or cancel, the id `col a` (item 14's), and a
// NUL that cut the command short while the job was marked completed.
TEST_F(BadInputTest, BadIdsAndControlCharactersAreRefusedAtSubmission) {
  struct Case {
    json body;
    std::string field;
  };
  const Case cases[] = {
      {{{"id", "a/b"}, {"command", "echo hi"}}, "id"},
      {{{"id", "col a"}, {"command", "echo hi"}}, "id"},
      {{{"command", std::string("echo before\0echo after", 22)}}, "command"},
      {{{"command", "echo hi"}, {"branch", std::string("main\0", 5)}}, "branch"},
      {{{"command", "echo hi"}, {"commit", "abc\x1b"}}, "commit"},
      {{{"id", "bell\x07"}, {"command", "echo hi"}}, "id"},
      {{{"command", " "}}, "command"},
      {{{"command", "echo hi"}, {"requirements", {{"memory_bytes", 1.5}}}}, "requirements/memory_bytes"},
  };
  for (const Case& c : cases) ExpectError(Admin("POST", "/api/v1/jobs", c.body.dump()), 400, c.field, c.body.dump());
  EXPECT_TRUE(Admin("GET", "/api/v1/jobs").body["jobs"].empty());
  // col_a and col-a still run, each to completion.
  ASSERT_EQ(Admin("POST", "/api/v1/jobs", R"({"id": "col_a", "command": "echo $BUILDFARM_JOB_ID"})").status, 201);
  ASSERT_EQ(Admin("POST", "/api/v1/jobs", R"({"id": "col-a", "command": "echo $BUILDFARM_JOB_ID"})").status, 201);
  auto jobs = farm_->WaitTerminal({"col_a", "col-a"}, 60);
  EXPECT_EQ(jobs["col_a"]["status"], "completed") << farm_->Logs();
  EXPECT_EQ(jobs["col-a"]["status"], "completed") << farm_->Logs();
}

// Item 18: an agent acting on another node's live attempt got 409 "superseded"; docs/api.md says 403.
TEST_F(BadInputTest, AgentActingOnAnotherNodesLiveAttemptGets403) {
  ASSERT_EQ(Admin("POST", "/api/v1/jobs", R"({"id": "long", "command": "sleep 30"})").status, 201);
  std::string node;
  for (int i = 0; i < 200 && node.empty(); ++i) {
    json job = farm_->Job("long");
    if (job.value("status", "") == "running") node = job.value("assigned_to", "");
    if (node.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(node.empty()) << farm_->Logs();
  const int other = node == farm_->node_name(0) ? 1 : 0;
  for (const char* what : {"start", "log", "result"}) {
    Answer answer = Send("POST", std::string("/api/v1/jobs/long/attempts/1/") + what, R"({"exit_code": 0})",
                         AgentToken(other));
    EXPECT_EQ(answer.status, 403) << what << ": " << answer.body.dump();
  }
  EXPECT_EQ(farm_->Job("long")["status"], "running");
  ASSERT_EQ(Admin("POST", "/api/v1/jobs/long/cancel").status, 200);
}

// Item 19: the answers that were empty, the errors that did not say what is allowed, "ghost" readers
// and ignored unknown fields.
TEST_F(BadInputTest, EveryRefusalIsAJsonErrorNamingTheField) {
  // A POST without Content-Length, as curl sends with -X POST and no data.
  const std::string address = farm_->address();
  const std::string reply = RawHttpExchange(std::stoi(address.substr(address.rfind(':') + 1)),
                                            "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                                farm_->admin_token() + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 411", 0), 0u) << reply;  // refused from its head by the transport
  EXPECT_NE(reply.find(R"("field":"Content-Length")"), std::string::npos) << reply;

  ExpectError(Send("POST", "/api/v1/jobs", std::string(9000, 'a'), farm_->admin_token(),
                   "application/x-www-form-urlencoded"),
              413, "body", "form body over 8 KiB");
  Answer wrong = Admin("DELETE", "/api/v1/jobs");
  ExpectError(wrong, 405, "method", "DELETE /api/v1/jobs");
  EXPECT_EQ(wrong.allow, "POST, GET");
  ExpectError(Admin("GET", "/api/v1/no-such-route"), 404, "path", "unknown route");

  Answer priority = Send("POST", "/api/v1/messages", R"({"from": "n1", "to": "all", "subject": "s", "priority": "p0"})",
                         AgentToken(0));
  ExpectError(priority, 400, "priority", "priority p0");
  EXPECT_NE(priority.body.value("error", "").find("critical, high, normal or low"), std::string::npos);

  Answer sent = Send("POST", "/api/v1/messages", R"({"from": "n1", "to": "all", "subject": "hello"})", AgentToken(0));
  ASSERT_EQ(sent.status, 201) << sent.body.dump();
  const std::string id = sent.body.value("id", "");
  ExpectError(Admin("POST", "/api/v1/messages/" + id + "/read", R"({"reader": "ghost"})"), 400, "reader", "ghost");
  EXPECT_TRUE(Admin("GET", "/api/v1/messages/" + id).body["read_by"].empty());

  json registration{{"name", "n1"}, {"capacity", {{"cores", 4}}}, {"labels", json::object()}, {"colour", "blue"}};
  ExpectError(Send("POST", "/api/v1/agents/register", registration.dump(), AgentToken(0)), 400, "colour", "register");
  ExpectError(Send("POST", "/api/v1/agents/n1/heartbeat", R"({"running": [], "uptime": 5})", AgentToken(0)), 400,
              "uptime", "heartbeat");
  EXPECT_TRUE(farm_->scheduler().Running());
}

// Item 17: build-cli printed ESC, BEL and CR from server data raw.
TEST_F(BadInputTest, BuildCliShowsControlCharactersFromTheServerEscaped) {
  json message{{"from", "n1"}, {"to", "n2"}, {"subject", "title\x1b]0;pwned\x07 clear\x1b[2J\r"}};
  ASSERT_EQ(Admin("POST", "/api/v1/messages", message.dump()).status, 201);
  std::vector<std::string> argv{"/usr/bin/env", "BUILDFARM_URL=http://" + farm_->address(),
                                "BUILDFARM_TOKEN=" + farm_->admin_token(), BinaryPath("cli/build-cli"),
                                "msg", "unread", "--server", "n2"};
  std::string output;
  ASSERT_EQ(RunCommand(argv, &output, 30), 0) << output;
  EXPECT_EQ(output.find('\x1b'), std::string::npos) << output;
  EXPECT_EQ(output.find('\x07'), std::string::npos) << output;
  EXPECT_EQ(output.find('\r'), std::string::npos) << output;
  EXPECT_NE(output.find("title\\x1b]0;pwned\\x07"), std::string::npos) << output;
}

}  // namespace
}  // namespace buildfarm::testing
