// Where a failed node's work goes: a healthy backup node, the healthiest node of a pool label, else the pool.
#include "scheduler/alerts/backup_choice.h"

#include <gtest/gtest.h>

namespace buildfarm::scheduler {
namespace {

BackupCandidate Node(std::string name, bool healthy, int active = 0, std::optional<double> cpu = std::nullopt,
                     std::map<std::string, std::string> labels = {}) {
  return {std::move(name), std::move(labels), healthy, active, cpu};
}

TEST(BackupChoiceTest, NamedBackupWhenHealthyElseThePool) {
  std::vector<BackupCandidate> nodes = {Node("n1", true), Node("n2", false), Node("n3", true)};
  EXPECT_EQ(ChooseBackup("n2", "n3", nodes), "n3");
  EXPECT_EQ(ChooseBackup("n3", "n2", nodes), "") << "n2 is unhealthy";
  EXPECT_EQ(ChooseBackup("n1", "n9", nodes), "") << "unknown backup";
  EXPECT_EQ(ChooseBackup("n1", "", nodes), "") << "no backup configured";
}

TEST(BackupChoiceTest, PoolLabelPicksTheHealthiestReadyNodeCarryingIt) {
  std::map<std::string, std::string> fast{{"pool", "fast"}};
  std::vector<BackupCandidate> nodes = {
      Node("a", true, 2, 0.1, fast),   // busy
      Node("b", true, 0, 0.7, fast),   // idle but loaded
      Node("c", true, 0, 0.2, fast),   // idle, lightest: chosen
      Node("d", false, 0, 0.0, fast),  // unhealthy
      Node("e", true, 0, 0.0, {{"pool", "slow"}}),
  };
  EXPECT_EQ(ChooseBackup("x", "pool=fast", nodes), "c");
  EXPECT_EQ(ChooseBackup("c", "pool=fast", nodes), "b") << "never the failed node itself";
  EXPECT_EQ(ChooseBackup("x", "pool=none", nodes), "");
}

TEST(BackupChoiceTest, PoolWithOnlyUnhealthyNodesFallsBackToThePool) {
  std::map<std::string, std::string> fast{{"pool", "fast"}};
  std::vector<BackupCandidate> nodes = {Node("a", false, 0, 0.0, fast), Node("b", false, 0, 0.0, fast)};
  EXPECT_EQ(ChooseBackup("x", "pool=fast", nodes), "");
}

TEST(BackupChoiceTest, NodesWithoutMetricsRankAfterKnownIdleOnes) {
  std::map<std::string, std::string> fast{{"pool", "fast"}};
  std::vector<BackupCandidate> nodes = {Node("a", true, 0, std::nullopt, fast), Node("b", true, 0, 0.9, fast)};
  EXPECT_EQ(ChooseBackup("x", "pool=fast", nodes), "b");
}

TEST(BackupChoiceTest, PoolLabelForm) {
  EXPECT_TRUE(IsPoolLabel("pool=fast"));
  EXPECT_FALSE(IsPoolLabel("build2"));
  EXPECT_FALSE(IsPoolLabel("=fast"));
  EXPECT_FALSE(IsPoolLabel("pool="));
}

}  // namespace
}  // namespace buildfarm::scheduler
