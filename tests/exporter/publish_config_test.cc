#include <gtest/gtest.h>

#include "exporter/config.h"

namespace buildfarm::exporter {
namespace {

TEST(PublishConfig, RemoteWithCredentialsIsRefused) {
  struct Case {
    std::string remote;
    bool refused;
  };
  const Case cases[] = {
      {"https://user:pass@github.com/org/farm.git", true},
      {"https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/org/farm.git", true},
      {"http://oauth2@git.example/farm.git", true},
      {"ssh://git:pw@git.example/farm.git", true},
      {"ssh://git@git.example/farm.git", false},
      {"git@github.com:org/farm.git", false},
      {"https://github.com/org/farm.git", false},
      {"https://github.com/org/farm@v1.git", false},
  };
  for (const Case& c : cases) {
    auto config = ParseExporterConfig("publish:\n  remote: " + c.remote + "\n", "test.yml");
    EXPECT_EQ(!config.ok(), c.refused) << c.remote;
    if (!config.ok()) {
      EXPECT_NE(config.status().message().find("publish.remote: must not carry credentials"), std::string::npos);
      EXPECT_EQ(config.status().message().find(c.remote), std::string::npos) << "the secret is never echoed";
    }
  }
}

TEST(PublishConfig, AbsentMeansDisabled) {
  auto config = ParseExporterConfig("node_name: build1\n", "test.yml");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->publish.enabled);
}

TEST(PublishConfig, ReadsEveryKeyWithDefaults) {
  auto config = ParseExporterConfig(
      "publish:\n  remote: git://git.example/farm.git\n  branch: status\n  interval: 30s\n  history_limit: 1440\n"
      "  author: \"build1 exporter <ops@example.com>\"\n  state_dir: /tmp/x\n  ssh_key: /etc/key\n",
      "test.yml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const PublishSettings& publish = config->publish;
  EXPECT_TRUE(publish.enabled);
  EXPECT_EQ(publish.remote, "git://git.example/farm.git");
  EXPECT_EQ(publish.branch, "status");
  EXPECT_EQ(publish.interval_seconds, 30);
  EXPECT_EQ(publish.history_limit, 1440);
  EXPECT_EQ(publish.author_name, "build1 exporter");
  EXPECT_EQ(publish.author_email, "ops@example.com");
  EXPECT_EQ(publish.state_dir, "/tmp/x");
  EXPECT_EQ(publish.ssh_key, "/etc/key");
  EXPECT_TRUE(publish.scheduler_url.empty());

  auto history = ParseExporterConfig(
      "publish:\n  remote: x\n  scheduler_url: http://s:8080\n  token_file: /etc/v.token\n  scheduler_timeout: 1s\n",
      "test.yml");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->publish.scheduler_url, "http://s:8080");
  EXPECT_EQ(history->publish.token_file, "/etc/v.token");
  EXPECT_EQ(history->publish.scheduler_timeout_seconds, 1);

  auto defaults = ParseExporterConfig("publish:\n  remote: file:///srv/farm.git\n", "test.yml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->publish.branch, "main");
  EXPECT_EQ(defaults->publish.interval_seconds, 60);
  EXPECT_EQ(defaults->publish.history_limit, 0);
}

TEST(PublishConfig, ErrorsNameTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"publish:\n  branch: status\n", "publish.remote"},
      {"publish:\n  remote: x\n  remtoe: y\n", "remtoe"},
      {"publish:\n  remote: x\n  interval: soon\n", "publish.interval"},
      {"publish:\n  remote: x\n  history_limit: -1\n  branch: status\n", "publish.history_limit"},
      {"publish:\n  remote: x\n  history_limit: 10\n", "publish.branch"},
      {"publish:\n  remote: x\n  author: nobody\n", "publish.author"},
      {"publish:\n  remote: https://ci:hunter2@example.com/farm.git\n", "publish.remote"},
      {"publish: yes\n", "publish"},
      {"publish:\n  remote: x\n  scheduler_url: ftp://s\n  token_file: /t\n", "publish.scheduler_url"},
      {"publish:\n  remote: x\n  scheduler_url: http://s:8080\n", "publish.token_file"},
      {"publish:\n  remote: x\n  scheduler_timeout: later\n", "publish.scheduler_timeout"},
  };
  for (const auto& [yaml, key] : cases) {
    auto config = ParseExporterConfig(yaml, "test.yml");
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(key), std::string::npos) << config.status().message();
    EXPECT_EQ(config.status().message().find("hunter2"), std::string::npos);
  }
}

}  // namespace
}  // namespace buildfarm::exporter
