#include "scheduler/plugins/node_selector.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;
using Kind = Verdict::Kind;

TEST(NodeSelector, LabelsAndProfiles) {
  NodeSelector plugin({});
  NodeBuilder linux_node = NodeBuilder().Label("os", "linux").Label("arch", "amd64").Profile("gcc").Profile("clang");
  RunFilterCases(plugin, {
      {"empty selector", linux_node, JobBuilder(), Kind::kFits},
      {"matching label", linux_node, JobBuilder().Select("os", "linux"), Kind::kFits},
      {"all labels match", linux_node, JobBuilder().Select("os", "linux").Select("arch", "amd64"), Kind::kFits},
      {"wrong value", linux_node, JobBuilder().Select("os", "windows"), Kind::kUnschedulable,
       "selector os=windows: node has os=linux"},
      {"missing label", linux_node, JobBuilder().Select("gpu", "yes"), Kind::kUnschedulable,
       "selector gpu=yes: node has no label gpu"},
      {"offered profile", linux_node, JobBuilder().Profile("clang"), Kind::kFits},
      {"missing profile", linux_node, JobBuilder().Profile("gcc").Profile("msvc"), Kind::kUnschedulable,
       "profile msvc not offered by node"},
      {"node without labels", NodeBuilder(), JobBuilder().Select("os", "linux"), Kind::kUnschedulable, "no label os"},
  });
}

TEST(NodeSelector, TakesNoArgs) {
  RunArgsCases(&ParseNodeSelectorArgs, {{"none", Args({}), ""}, {"any", Args({{"x", "1"}}), "argument x"}});
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
