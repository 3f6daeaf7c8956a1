#include "scheduler/server/config.h"

#include <gtest/gtest.h>

#include "scheduler/framework/profile.h"
#include "scheduler/plugins/registry.h"

namespace buildfarm::scheduler {
namespace {

TEST(SchedulerConfigTest, ParsesEverySection) {
  auto config = ParseSchedulerConfig(R"(
store: {path: /tmp/x.db}
tokens:
  - {name: ops, role: admin, sha256: BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD}
  - {name: b1, role: agent, node: b1, sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad}
prometheus:
  url: http://127.0.0.1:9090
  refresh_interval: 2s
  timeout: 500ms
  queries: {cpu_utilisation: 'buildfarm:cpu'}
scheduling:
  profiles:
    - schedulerName: default
lease: 20s
heartbeat: 4s
cycle_interval: 250ms
backups: {b1: b2}
)", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store_path, "/tmp/x.db");
  ASSERT_EQ(config->tokens.size(), 2u);
  EXPECT_EQ(config->tokens[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(config->tokens[1].node, "b1");
  EXPECT_EQ(config->prometheus.refresh_interval_seconds, 2);
  EXPECT_EQ(config->prometheus.timeout_seconds, 0.5);
  EXPECT_EQ(config->prometheus.queries.at("cpu_utilisation"), "buildfarm:cpu");
  EXPECT_NE(config->scheduling_yaml.find("schedulerName"), std::string::npos);
  EXPECT_EQ(config->lease_seconds, 20);
  EXPECT_EQ(config->heartbeat_seconds, 4);
  EXPECT_EQ(config->cycle_interval_seconds, 0.25);
  EXPECT_EQ(config->backups.at("b1"), "b2");
  EXPECT_EQ(EffectiveSchedulingYaml(*config), config->scheduling_yaml);
}

TEST(SchedulerConfigTest, DefaultsWithoutPrometheusLeaveOutMetricFilters) {
  auto config = ParseSchedulerConfig("", "c.yaml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->lease_seconds, 15);
  EXPECT_EQ(config->heartbeat_seconds, 5);
  EXPECT_NE(EffectiveSchedulingYaml(*config).find("MetricsFresh"), std::string::npos);
  EXPECT_NE(EffectiveSchedulingYaml(*config).find("lease: 15000ms"), std::string::npos);
  auto profiles = LoadProfiles(EffectiveSchedulingYaml(*config), "default", plugins::BuiltinRegistry());
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  for (const FilterPlugin* filter : profiles->front().filters) {
    EXPECT_NE(filter->Name(), "MetricsFresh");
    EXPECT_NE(filter->Name(), "DiskSpace");
  }
  config->prometheus.url = "http://127.0.0.1:9090";
  auto with_metrics = LoadProfiles(EffectiveSchedulingYaml(*config), "default", plugins::BuiltinRegistry());
  ASSERT_TRUE(with_metrics.ok()) << with_metrics.status().ToString();
  EXPECT_EQ(with_metrics->front().filters.size(), 7u);
}

TEST(SchedulerConfigTest, FailoverKeysAndPoolLabelBackups) {
  auto defaults = ParseSchedulerConfig("", "c.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->failover_hold_down_seconds, 120);
  EXPECT_EQ(defaults->prometheus.ready_window_seconds, 0);
  auto config = ParseSchedulerConfig(
      "backups: {b1: b2, b3: pool=fast}\nfailover: {hold_down: 5s}\nprometheus: {ready_window: 30s}", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->backups.at("b3"), "pool=fast");
  EXPECT_EQ(config->failover_hold_down_seconds, 5);
  EXPECT_EQ(config->prometheus.ready_window_seconds, 30);
}

TEST(SchedulerConfigTest, LogCapAndRetention) {
  auto defaults = ParseSchedulerConfig("", "c.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_log_bytes_per_attempt, 64 << 20);
  EXPECT_EQ(defaults->retention.jobs_seconds, 30 * 86400);
  EXPECT_EQ(defaults->retention.logs_seconds, 7 * 86400);
  EXPECT_EQ(defaults->retention.archived_messages_seconds, 30 * 86400);
  struct Case {
    std::string yaml;
    std::int64_t max_bytes;
    double jobs, logs, messages;
  };
  for (const Case& c : std::vector<Case>{
           {"logs: {max_bytes_per_attempt: 1MiB}", 1 << 20, 30 * 86400, 7 * 86400, 30 * 86400},
           {"logs: {max_bytes_per_attempt: 4096}", 4096, 30 * 86400, 7 * 86400, 30 * 86400},
           {"logs: {max_bytes_per_attempt: 2GiB}", std::int64_t{2} << 30, 30 * 86400, 7 * 86400, 30 * 86400},
           {"retention: {jobs: 90d, logs: 12h, archived_messages: 0}", 64 << 20, 90 * 86400, 12 * 3600, 0},
           {"retention: {jobs: 0, logs: 0s}", 64 << 20, 0, 0, 30 * 86400},
       }) {
    auto config = ParseSchedulerConfig(c.yaml, "c.yaml");
    ASSERT_TRUE(config.ok()) << c.yaml << ": " << config.status().ToString();
    EXPECT_EQ(config->max_log_bytes_per_attempt, c.max_bytes) << c.yaml;
    EXPECT_EQ(config->retention.jobs_seconds, c.jobs) << c.yaml;
    EXPECT_EQ(config->retention.logs_seconds, c.logs) << c.yaml;
    EXPECT_EQ(config->retention.archived_messages_seconds, c.messages) << c.yaml;
  }
}

TEST(SchedulerConfigTest, PublishSectionSharesTheExporterKeys) {
  auto absent = ParseSchedulerConfig("lease: 15s", "c.yaml");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->publish.enabled);
  auto config = ParseSchedulerConfig(
      "publish:\n  remote: git://git.example/farm.git\n  branch: coordination\n  interval: 30s\n"
      "  history_limit: 100\n  author: \"farm scheduler <ops@example.com>\"\n  state_dir: /tmp/pub\n",
      "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->publish.enabled);
  EXPECT_EQ(config->publish.remote, "git://git.example/farm.git");
  EXPECT_EQ(config->publish.branch, "coordination");
  EXPECT_EQ(config->publish.interval_seconds, 30);
  EXPECT_EQ(config->publish.history_limit, 100);
  EXPECT_EQ(config->publish.author_name, "farm scheduler");
  EXPECT_EQ(config->publish.author_email, "ops@example.com");
  EXPECT_EQ(config->publish.state_dir, "/tmp/pub");
  auto defaults = ParseSchedulerConfig("publish: {remote: 'file:///srv/farm.git'}", "c.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->publish.interval_seconds, 60);
  EXPECT_EQ(defaults->publish.branch, "main");
  EXPECT_EQ(defaults->publish.author_name, "buildfarm-scheduler");
  EXPECT_EQ(defaults->publish.state_dir, "/var/lib/buildfarm-scheduler/publish");
}

TEST(SchedulerConfigTest, ErrorsNameTheKey) {
  const std::string hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  struct Case {
    std::string yaml, key;
  };
  const Case cases[] = {
      {"bogus: 1", "bogus"},
      {"store: {path: ''}", "store.path"},
      {"store: {file: x}", "store.file"},
      {"tokens: [{name: a, role: root, sha256: " + hash + "}]", "tokens[0].role"},
      {"tokens: [{name: a, role: agent, sha256: " + hash + "}]", "tokens[0].node"},
      {"tokens: [{name: a, role: admin, sha256: abc}]", "tokens[0].sha256"},
      {"tokens: [{role: admin, sha256: " + hash + "}]", "tokens[0].name"},
      {"prometheus: {url: ftp://x}", "prometheus.url"},
      {"prometheus: {interval: 5s}", "prometheus.interval"},
      {"prometheus: {url: 'http://p:9090', queries: {cpu: x}}", "prometheus.queries.cpu"},
      {"lease: soon", "lease"},
      {"lease: 5s\nheartbeat: 10s", "heartbeat"},
      {"backups: {b1: b1}", "backups.b1"},
      {"scheduling: [1]", "scheduling"},
      {"backups: {b1: '=fast'}", "backups.b1"},
      {"backups: {b1: 'pool='}", "backups.b1"},
      {"failover: {hold_down: never}", "failover.hold_down"},
      {"failover: {holddown: 1m}", "failover.holddown"},
      {"prometheus: {ready_window: -1s}", "prometheus.ready_window"},
      {"publish: {branch: x}", "publish.remote"},
      {"publish: {remote: 'git://h/r.git', intervall: 1m}", "publish.intervall"},
      {"publish: {remote: 'git://h/r.git', interval: often}", "publish.interval"},
      {"publish: {remote: 'git://h/r.git', history_limit: 5}", "publish.branch"},
      {"publish: {remote: 'https://u:pw@h/r.git'}", "publish.remote"},
      {"publish: {remote: 'git://h/r.git', scheduler_url: 'http://s'}", "publish.scheduler_url"},
      {"logs: {max_bytes_per_attempt: lots}", "logs.max_bytes_per_attempt"},
      {"logs: {max_bytes_per_attempt: 512}", "logs.max_bytes_per_attempt"},
      {"logs: {max_bytes_per_attempt: 2048GiB}", "logs.max_bytes_per_attempt"},
      {"logs: {max_bytes_per_attempt: -1MiB}", "logs.max_bytes_per_attempt"},
      {"logs: {max_bytes: 1MiB}", "logs.max_bytes"},
      {"retention: {jobs: forever}", "retention.jobs"},
      {"retention: {logs: -1d}", "retention.logs"},
      {"retention: {archived_messages: [1]}", "retention.archived_messages"},
      {"retention: {interval: 0s}", "retention.interval"},
      {"retention: {messages: 1d}", "retention.messages"},
  };
  for (const Case& c : cases) {
    auto config = ParseSchedulerConfig(c.yaml, "c.yaml");
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find("c.yaml: " + c.key + ":"), std::string::npos)
        << c.yaml << " -> " << config.status().message();
  }
  EXPECT_FALSE(ParseSchedulerConfig("tokens: [", "c.yaml").ok());
}

}  // namespace
}  // namespace buildfarm::scheduler

namespace buildfarm::scheduler {
namespace {

TEST(StorePathTest, RequiredWithoutStateDirectory) {
  SchedulerConfig config;
  Status status = ResolveStorePath(config, "c.yaml", "");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("c.yaml: store.path: required"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("STATE_DIRECTORY"), std::string::npos) << status.message();
}

TEST(StorePathTest, ComesFromTheFirstStateDirectory) {
  SchedulerConfig config;
  ASSERT_TRUE(ResolveStorePath(config, "c.yaml", "/tmp:/var/lib/other").ok());
  EXPECT_EQ(config.store_path, "/tmp/scheduler.db");
}

TEST(StorePathTest, ConfiguredPathWinsOverStateDirectory) {
  SchedulerConfig config;
  config.store_path = "/tmp/mine.db";
  ASSERT_TRUE(ResolveStorePath(config, "c.yaml", "/var/lib/buildfarm").ok());
  EXPECT_EQ(config.store_path, "/tmp/mine.db");
}

TEST(StorePathTest, MissingDirectoryNamesKeyAndPath) {
  SchedulerConfig config;
  config.store_path = "/nonexistent-buildfarm-dir/sub/s.db";
  Status status = ResolveStorePath(config, "c.yaml", "");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("store.path"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("/nonexistent-buildfarm-dir/sub"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace buildfarm::scheduler

namespace buildfarm::scheduler {
namespace {

TEST(OperatorConfigTest, OperatorRoleIsAConfigRoleAndBadRolesListEveryRole) {
  auto config = ParseSchedulerConfig(R"(
tokens:
  - {name: ci, role: operator, sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad}
)", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->tokens[0].role, Role::kOperator);
  auto bad = ParseSchedulerConfig(R"(
tokens:
  - {name: ci, role: root, sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad}
)", "c.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tokens[0].role: want admin, operator, viewer, agent or webhook"),
            std::string::npos)
      << bad.status().message();
}

TEST(WebhookConfigTest, WebhookRoleAndFailoverAllowlist) {
  auto config = ParseSchedulerConfig(R"(
tokens:
  - {name: am, role: webhook, sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad}
failover: {alerts: [BuildNodeDown, RackPowerLost]}
)", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->tokens[0].role, Role::kWebhook);
  EXPECT_EQ(config->failover_alerts, (std::set<std::string>{"BuildNodeDown", "RackPowerLost"}));
  auto defaults = ParseSchedulerConfig("lease: 15s\n", "c.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->failover_alerts.count("BuildNodeTooHot"), 1u);
  auto bad = ParseSchedulerConfig("failover: {alerts: BuildNodeDown}\n", "c.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("failover.alerts"), std::string::npos);
}

TEST(MetricsConfigTest, StoreRefreshAndMessageRecipients) {
  auto defaults = ParseSchedulerConfig("lease: 15s\n", "c.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->metrics_refresh_seconds, 15);
  EXPECT_TRUE(defaults->message_recipients.empty());
  auto config = ParseSchedulerConfig("metrics: {store_refresh: 1m, message_recipients: [ops, release-team]}\n", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->metrics_refresh_seconds, 60);
  EXPECT_EQ(config->message_recipients, (std::set<std::string>{"ops", "release-team"}));
  for (const auto& [yaml, key] : std::vector<std::pair<std::string, std::string>>{
           {"metrics: {store_refresh: 0s}", "metrics.store_refresh"},
           {"metrics: {store_refresh: often}", "metrics.store_refresh"},
           {"metrics: {refresh: 1m}", "metrics.refresh"},
           {"metrics: {message_recipients: ops}", "metrics.message_recipients"},
           {"metrics: {message_recipients: [Ops_Team]}", "metrics.message_recipients"}}) {
    auto bad = ParseSchedulerConfig(yaml, "c.yaml");
    ASSERT_FALSE(bad.ok()) << yaml;
    EXPECT_NE(bad.status().message().find("c.yaml: " + key + ":"), std::string::npos) << bad.status().message();
  }
}

}  // namespace
}  // namespace buildfarm::scheduler
