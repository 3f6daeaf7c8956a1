// The audit log end to end: every kind of change (API calls with principal, target, result and source;
// automatic lease expiry, failover, cordon, uncordon, retention) and every 401/403 is a row; no row holds a
// token; and after a row is edited with the sqlite3 library, `build-cli audit --verify` names exactly it.
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "scheduler/server/alert_receiver.h"
#include "tests/cli/cli_test_util.h"
#include "tests/scheduler/server/server_fixture.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

class AuditLogTest : public ServerTest {
 protected:
  std::vector<AuditEntry> Entries() {
    auto entries = app_->audit().List({std::nullopt, "", 1000});
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? *entries : std::vector<AuditEntry>{};
  }
  // The first row with this action (and target, when given), or null.
  std::optional<AuditEntry> Find(const std::string& action, const std::string& target = "") {
    for (const AuditEntry& entry : Entries()) {
      if (entry.event.action == action && (target.empty() || entry.event.target == target)) return entry;
    }
    return std::nullopt;
  }
};

TEST_F(AuditLogTest, ApiChangesAreAuditedWithPrincipalTargetResultAndSource) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  const std::string id = Submit({{"command", "true"}});
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/cancel", "{}").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "{}").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/uncordon", "{}").status, 200);
  Reply token = Post("/api/v1/tokens", json{{"name", "ci"}, {"role", "operator"}}.dump());
  ASSERT_EQ(token.status, 201);
  const std::string secret = token.json.value("secret", "");
  ASSERT_EQ(Post("/api/v1/tokens/ci/revoke", "{}").status, 200);
  ASSERT_EQ(Post("/api/v1/messages/archive", "{}").status, 200);
  EXPECT_EQ(Get("/api/v1/jobs", "").status, 401);
  EXPECT_EQ(Get("/api/v1/jobs", secret).status, 401);  // revoked
  EXPECT_EQ(Post("/api/v1/jobs", R"({"command": "true"})", "viewertok").status, 403);
  EXPECT_EQ(Post("/api/v1/nodes/b1/failover", "{}", "grafana-is-not-a-token").status, 401);
  ASSERT_EQ(Get("/api/v1/jobs").status, 200);  // a read: not audited

  struct Want {
    std::string action;
    std::string target;
    std::string principal;
    std::string result;
    std::string node;
  };
  const Want wants[] = {
      {"POST /api/v1/agents/register", "b1", "b1", "200", "b1"},
      {"POST /api/v1/jobs", id, "ops", "201", ""},
      {"POST /api/v1/jobs/" + id + "/cancel", id, "ops", "200", ""},
      {"POST /api/v1/nodes/b1/cordon", "b1", "ops", "200", "b1"},
      {"POST /api/v1/nodes/b1/uncordon", "b1", "ops", "200", "b1"},
      {"POST /api/v1/tokens", "ci", "ops", "201", ""},
      {"POST /api/v1/tokens/ci/revoke", "ci", "ops", "200", ""},
      {"POST /api/v1/messages/archive", "", "ops", "200", ""},
      {"POST /api/v1/jobs", "", "grafana", "403", ""},
      {"POST /api/v1/nodes/b1/failover", "b1", "", "401", "b1"},
  };
  for (const Want& want : wants) {
    bool found = false;
    for (const AuditEntry& e : Entries()) {
      const AuditEvent& ev = e.event;
      if (ev.action != want.action || ev.principal != want.principal || ev.result != want.result) continue;
      found = true;
      EXPECT_EQ(ev.target, want.target) << want.action;
      EXPECT_EQ(ev.node, want.node) << want.action;
      EXPECT_EQ(ev.source, "127.0.0.1") << want.action;
    }
    EXPECT_TRUE(found) << want.action << " by " << want.principal << " (" << want.result << ")";
  }
  int unauthenticated = 0;
  for (const AuditEntry& e : Entries()) {
    if (e.event.action == "GET /api/v1/jobs" && e.event.result == "401") ++unauthenticated;
    if (e.event.action == "GET /api/v1/jobs") EXPECT_NE(e.event.result, "200") << "reads are not audited";
    // Never a secret: not the created token, not a config token.
    for (const std::string* field : {&e.event.principal, &e.event.action, &e.event.target, &e.event.detail}) {
      EXPECT_EQ(field->find(secret.substr(4)), std::string::npos);
      EXPECT_EQ(field->find("admintok"), std::string::npos);
    }
  }
  EXPECT_EQ(unauthenticated, 2);
  bool saw_revoked_reason = false;
  for (const AuditEntry& e : Entries()) saw_revoked_reason |= e.event.detail.find("token ci revoked") != std::string::npos;
  EXPECT_TRUE(saw_revoked_reason) << "the 401's reason is in the audit log";
}

TEST_F(AuditLogTest, AutomaticChangesAreAuditedAsTheScheduler) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(RegisterNode("b2").status, 200);
  // Lease expiry of b2 (and its failover).
  const double later = NowSeconds() + app_->service().config().lease_seconds + 10;
  ASSERT_TRUE(app_->nodes().Heartbeat("b1", later).ok());
  app_->service().lease_monitor().CheckLeases(later);
  // An alert's failover and cordon of b1, and the hold-down's uncordon.
  double now = NowSeconds();
  AlertReceiver receiver(app_->database(), app_->service(), app_->nodes(), app_->failovers(), 60, log_,
                         [&now] { return now; });
  receiver.SetAudit(&app_->audit());
  Alert alert;
  alert.labels = {{"alertname", "BuildNodeDown"}, {"node", "b1"}, {"action", "failover"}};
  alert.fingerprint = "fp-1";
  alert.starts_at = "2026-11-27T03:10:00Z";
  alert.firing = true;
  receiver.Handle(alert);
  alert.firing = false;
  receiver.Handle(alert);
  now += 61;
  ASSERT_TRUE(app_->nodes().Heartbeat("b1", now).ok());
  receiver.ReleaseHoldDowns();
  // Retention deleting an old finished job.
  const std::string id = Submit({{"command", "true"}});
  ASSERT_EQ(Post("/api/v1/jobs/" + id + "/cancel", "{}").status, 200);
  ASSERT_TRUE(app_->retention().SweepOnce(NowSeconds() + 400 * 86400.0).ok());

  const std::pair<std::string, std::string> wants[] = {{"lease-expired", "b2"}, {"failover", "b2"}, {"cordon", "b1"},
                                                       {"failover", "b1"},      {"uncordon", "b1"}, {"retention", ""}};
  for (const auto& [action, node] : wants) {
    auto entry = Find(action, node);
    ASSERT_TRUE(entry) << action << " " << node;
    EXPECT_EQ(entry->event.principal, "scheduler");
    EXPECT_EQ(entry->event.result, "ok");
    EXPECT_EQ(entry->event.node, node);
  }
  EXPECT_NE(Find("failover", "b2")->event.detail.find("reason=lease"), std::string::npos);
  EXPECT_NE(Find("retention")->event.detail.find("jobs=1"), std::string::npos) << Find("retention")->event.detail;
  // The node filter of the API.
  Reply b2 = Get("/api/v1/audit?node=b2");
  ASSERT_EQ(b2.status, 200) << b2.body;
  ASSERT_FALSE(b2.json["entries"].empty());
  for (const json& entry : b2.json["entries"]) EXPECT_EQ(entry["node"], "b2");
}

TEST_F(AuditLogTest, AuditRoutesAreAdminOnlyAndBounded) {
  EXPECT_EQ(Get("/api/v1/audit", "viewertok").status, 403);
  EXPECT_EQ(Get("/api/v1/audit/verify", "viewertok").status, 403);
  EXPECT_EQ(Get("/api/v1/audit?limit=1001").json.value("field", ""), "limit");
  EXPECT_EQ(Get("/api/v1/audit?since=yesterday").json.value("field", ""), "since");
  EXPECT_EQ(Get("/api/v1/audit?since=2026-01-02T15:04:05Z").status, 200);
  Reply recent = Get("/api/v1/audit?since=1h&limit=1");
  ASSERT_EQ(recent.status, 200) << recent.body;
  EXPECT_EQ(recent.json["entries"].size(), 1u);  // the two 403s above
  EXPECT_TRUE(recent.json.value("truncated", false));
}

TEST_F(AuditLogTest, VerifyNamesTheRowEditedWithSqlite) {
  for (int i = 0; i < 5; ++i) Submit({{"command", "true"}});
  std::map<std::string, std::string> env{{"BUILDFARM_URL", "http://" + app_->BoundAddresses().front()},
                                         {"BUILDFARM_TOKEN", "admintok"}};
  testing::CliRun intact = testing::RunInProcess({"audit", "--verify"}, env);
  EXPECT_EQ(intact.code, 0) << intact.output << intact.error;
  EXPECT_NE(intact.output.find("audit chain intact: 5 entries"), std::string::npos) << intact.output;

  const std::int64_t edited = Entries()[2].id;
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.Join("scheduler.db").c_str(), &raw), SQLITE_OK);
  const std::string sql = "UPDATE audit SET principal = 'nobody' WHERE id = " + std::to_string(edited);
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);

  testing::CliRun broken = testing::RunInProcess({"audit", "--verify"}, env);
  EXPECT_EQ(broken.code, 1);
  EXPECT_NE(broken.error.find("audit chain broken at entry " + std::to_string(edited) + ":"), std::string::npos)
      << broken.error;
  Reply verified = Get("/api/v1/audit/verify");
  EXPECT_EQ(verified.json.value("first_broken", 0), edited) << verified.body;
}

}  // namespace
}  // namespace buildfarm::scheduler
