// The scheduler refuses messages and job commands holding a likely secret with git_publisher's secret
// guard by default: 400 naming the field and the reason, the secret in neither the response nor the
// log, and buildfarm_publish_refused_total{reason} on /metrics. Ordinary prose about passwords and
// tokens passes.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/file_reader.h"
#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/prom_text.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

// Built from pieces so that this file itself does not look like it holds a credential.
std::string Repeat(const std::string& unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

class MessageSecretGuardTest : public ServerTest {
 protected:
  const Logger& AppLog() override {
    log_path_ = dir_.Join("scheduler.log");
    log_fd_ = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    file_log_ = std::make_unique<Logger>(LogLevel::kDebug, log_fd_);
    return *file_log_;
  }
  void TearDown() override {
    ServerTest::TearDown();
    if (log_fd_ >= 0) ::close(log_fd_);
  }
  std::string LogText() {
    auto text = ReadFileCapped(log_path_, 1 << 20);
    EXPECT_TRUE(text.ok());
    return text.ok() ? *text : "";
  }
  std::map<std::string, double> Samples() {
    std::string error;
    auto parsed = testing::ParsePromText(Get("/metrics", "").body, &error);
    EXPECT_TRUE(parsed.has_value()) << error;
    std::map<std::string, double> out;
    if (parsed) {
      for (const auto& [key, sample] : parsed->ByKey()) out[key] = sample.value;
    }
    return out;
  }

  std::string log_path_;
  int log_fd_ = -1;
  std::unique_ptr<Logger> file_log_;
};

TEST_F(MessageSecretGuardTest, LikelySecretsAreRefusedNamingFieldAndReasonNeverTheSecret) {
  struct Case {
    std::string field, secret, reason;
  };
  const Case cases[] = {
      {"body", "db password: hunter2x", "password"},
      {"subject", "ghp_" + Repeat("aB3d", 9), "github_token"},
      {"body", "AKIA" + std::string("IOSFODNN7EXAMPLE"), "aws_access_key_id"},
      {"body", "xoxb-" + std::string("123456789012-1234567890123-AbCdEfGhIjKl"), "slack_token"},
      {"body", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n", "private_key"},
      {"metadata", "f3a9c1e07b5d4a2c9e8f7a6b5c4d3e2f", "labelled_token"},
  };
  std::map<std::string, int> want_refusals;
  for (const Case& c : cases) {
    json message{{"from", "b1"}, {"to", "all"}, {"subject", "deploy"}, {"body", "see below"}};
    if (c.field == "metadata") {
      message["metadata"] = {{"api_token", c.secret}};
    } else {
      message[c.field] = c.secret;
    }
    Reply reply = Post("/api/v1/messages", message.dump());
    EXPECT_EQ(reply.status, 400) << c.reason << ": " << reply.body;
    EXPECT_EQ(reply.json.value("field", ""), c.field) << reply.body;
    EXPECT_NE(reply.json.value("error", "").find(c.reason), std::string::npos) << reply.body;
    EXPECT_EQ(reply.body.find(c.secret), std::string::npos) << reply.body;
    ++want_refusals[c.reason];
  }
  EXPECT_TRUE(Get("/api/v1/messages/search").json.value("messages", json::array()).empty());

  const auto samples = Samples();
  for (const auto& [reason, count] : want_refusals) {
    auto it = samples.find("buildfarm_publish_refused_total{reason=\"" + reason + "\"}");
    ASSERT_NE(it, samples.end()) << reason;
    EXPECT_EQ(it->second, count) << reason;
  }
  // No publisher configured: its push metrics are not exposed.
  EXPECT_EQ(samples.count("buildfarm_publish_pending"), 0u);

  const std::string log = LogText();
  EXPECT_NE(log.find("message refused"), std::string::npos) << log;
  for (const Case& c : cases) EXPECT_EQ(log.find(c.secret), std::string::npos) << c.reason << " leaked: " << log;
}

TEST_F(MessageSecretGuardTest, OrdinaryTextAboutSecretsIsAccepted) {
  const std::pair<std::string, std::string> cases[] = {
      {"password policy", "Our password policy requires 12 characters."},
      {"rate limits", "The token bucket refills at 10 tokens per second."},
      {"vault", "password: $DB_PASSWORD comes from the environment"},
  };
  for (const auto& [subject, body] : cases) {
    Reply reply = Post("/api/v1/messages", json{{"from", "b1"}, {"to", "all"}, {"subject", subject}, {"body", body}}.dump());
    EXPECT_EQ(reply.status, 201) << subject << ": " << reply.body;
  }
  const auto samples = Samples();
  for (const auto& [key, value] : samples) {
    if (key.rfind("buildfarm_publish_refused_total", 0) == 0) EXPECT_EQ(value, 0) << key;
  }
}

class JobSecretGuardTest : public MessageSecretGuardTest {};

// Issue 11 item 5: job commands are checked at submission, alone and in a graph.
TEST_F(JobSecretGuardTest, CommandHoldingASecretIs400NamingFieldAndReasonNeverTheSecret) {
  struct Case {
    std::string command, secret, reason;
  };
  // Built from pieces so that this file itself does not look like it holds a credential.
  const std::string password = "hunter2" + std::string("x");
  const std::string user_password = "deploy:" + std::string("s3cretPass");
  const std::string gitlab = "glpat-" + std::string("xY9zAb3Cd5Ef7Gh1Ij2K");
  const Case cases[] = {
      {"PGPASSWORD=" + password + " psql -h db -c 'select 1'", password, "password"},
      {"curl -u " + user_password + " https://api.example.com/deploy", user_password, "command_line_password"},
      {"git clone https://oauth2:" + gitlab + "@gitlab.example.com/g/p.git", gitlab, "url_credentials"},
      {"echo " + gitlab + " | glab auth login --stdin", gitlab, "gitlab_token"},
  };
  for (const Case& c : cases) {
    Reply alone = Post("/api/v1/jobs", json{{"command", c.command}}.dump());
    EXPECT_EQ(alone.status, 400) << alone.body;
    EXPECT_EQ(alone.json.value("field", ""), "command") << alone.body;
    EXPECT_NE(alone.json.value("error", "").find(c.reason), std::string::npos) << alone.body;
    EXPECT_EQ(alone.body.find(c.secret), std::string::npos) << alone.body;

    Reply graph = Post("/api/v1/jobs", json{{"jobs", {{{"command", "make"}}, {{"command", c.command}}}}}.dump());
    EXPECT_EQ(graph.status, 400) << graph.body;
    EXPECT_EQ(graph.json.value("field", ""), "jobs/1/command") << graph.body;
    EXPECT_EQ(graph.body.find(c.secret), std::string::npos) << graph.body;
  }
  EXPECT_TRUE(Get("/api/v1/jobs").json.value("jobs", json::array()).empty());
  EXPECT_EQ(Samples()["buildfarm_publish_refused_total{reason=\"password\"}"], 2);
  const std::string log = LogText();
  EXPECT_NE(log.find("job refused"), std::string::npos) << log;
  for (const Case& c : cases) EXPECT_EQ(log.find(c.secret), std::string::npos) << c.reason << " leaked: " << log;
}

TEST_F(JobSecretGuardTest, OrdinaryCommandsAreAccepted) {
  for (const std::string command : {"PGPASSWORD=$DB_PASSWORD psql -h db", "curl -u deploy https://api.example.com",
                                    "./run-tests --password-file /run/secrets/db", "make -j8 test"}) {
    Reply reply = Post("/api/v1/jobs", json{{"command", command}}.dump());
    EXPECT_EQ(reply.status, 201) << command << ": " << reply.body;
  }
}

}  // namespace
}  // namespace buildfarm::scheduler
