#include "scheduler/plugins/node_ready.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;
using Kind = Verdict::Kind;

TEST(NodeReady, Verdicts) {
  NodeReady plugin({.lease_seconds = 15});
  RunFilterCases(plugin, {
      {"ready and fresh", NodeBuilder().HeartbeatAgo(1), JobBuilder(), Kind::kFits},
      {"heartbeat exactly at the lease", NodeBuilder().HeartbeatAgo(15), JobBuilder(), Kind::kFits},
      {"heartbeat past the lease", NodeBuilder().HeartbeatAgo(20), JobBuilder(), Kind::kUnschedulable,
       "no heartbeat for 20s (lease 15s)"},
      {"cordoned", NodeBuilder().State(NodeState::kCordoned), JobBuilder(), Kind::kUnschedulable, "node is cordoned"},
      {"draining", NodeBuilder().State(NodeState::kDraining), JobBuilder(), Kind::kUnschedulable, "node is draining"},
      {"down", NodeBuilder().State(NodeState::kDown), JobBuilder(), Kind::kUnschedulable, "node is down"},
  });
}

TEST(NodeReady, Args) {
  RunArgsCases(&ParseNodeReadyArgs, {
      {"defaults", Args({}), ""},
      {"lease as duration", Args({{"lease", "30s"}}), ""},
      {"lease as seconds", Args({{"lease", "30"}}), ""},
      {"bad lease", Args({{"lease", "soon"}}), "argument lease: want a positive duration"},
      {"zero lease", Args({{"lease", "0s"}}), "argument lease"},
      {"unknown", Args({{"leese", "15s"}}), "argument leese: unknown argument"},
  });
  auto args = ParseNodeReadyArgs(Args({{"lease", "1m"}}));
  ASSERT_TRUE(args.ok());
  EXPECT_DOUBLE_EQ(args->lease_seconds, 60);
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
