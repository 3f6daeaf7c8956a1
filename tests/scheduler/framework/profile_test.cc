#include "scheduler/framework/profile.h"

#include <gtest/gtest.h>

#include "scheduler/plugins/registry.h"

namespace buildfarm::scheduler {
namespace {

std::vector<std::string> FilterNames(const Profile& p) {
  std::vector<std::string> names;
  for (const FilterPlugin* f : p.filters) names.emplace_back(f->Name());
  return names;
}

std::vector<std::string> ScoreNames(const Profile& p) {
  std::vector<std::string> names;
  for (const WeightedScore& s : p.scores) names.push_back(std::string(s.plugin->Name()) + "=" + std::to_string(s.weight));
  return names;
}

Result<std::vector<Profile>> Load(const std::string& yaml) {
  static const Registry registry = plugins::BuiltinRegistry();
  return LoadProfiles(yaml, "scheduler.yaml", registry);
}

TEST(Profile, DefaultWhenNothingConfigured) {
  for (const char* yaml : {"", "apiVersion: buildfarm/v1\nkind: SchedulerConfiguration\n", "profiles: []\n"}) {
    SCOPED_TRACE(yaml);
    auto profiles = Load(yaml);
    ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
    ASSERT_EQ(profiles->size(), 1u);
    const Profile& p = (*profiles)[0];
    EXPECT_EQ(p.name, "default");
    EXPECT_EQ(p.queue_sort->Name(), "PrioritySort");
    EXPECT_EQ(FilterNames(p), (std::vector<std::string>{"NodeReady", "MetricsFresh", "ResourceFit", "DiskSpace",
                                                        "Thermal", "NodeSelector", "MaxParallel"}));
    EXPECT_EQ(ScoreNames(p),
              (std::vector<std::string>{"LeastLoaded=2", "MemoryHeadroom=1", "TargetLoadPacking=1"}));
    EXPECT_EQ(p.reserves.size(), 2u);
    EXPECT_EQ(p.binds.size(), 1u);
  }
}

TEST(Profile, LatencyAwareJoinsTheDefaultsWhenATargetIsConfigured) {
  auto profiles = Load(R"(
profiles:
  - pluginConfig:
      - name: LatencyAware
        args: {target: git, maxRtt: 20ms}
)");
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  EXPECT_EQ(ScoreNames((*profiles)[0]), (std::vector<std::string>{"LeastLoaded=2", "MemoryHeadroom=1",
                                                                  "TargetLoadPacking=1", "LatencyAware=1"}));
}

TEST(Profile, EnableDisableAndWeights) {
  auto profiles = Load(R"(
profiles:
  - schedulerName: packing
    defaultJobCores: 2
    plugins:
      filter:
        disabled: [{name: Thermal}, {name: DiskSpace}]
      score:
        disabled: [{name: "*"}]
        enabled:
          - {name: TargetLoadPacking, weight: 5}
          - {name: MemoryHeadroom}
    pluginConfig:
      - name: TargetLoadPacking
        args: {targetUtilization: 60}
  - schedulerName: spread
    plugins:
      score:
        enabled: [{name: LeastLoaded, weight: 7}]
)");
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  ASSERT_EQ(profiles->size(), 2u);
  const Profile& packing = (*profiles)[0];
  EXPECT_EQ(packing.name, "packing");
  EXPECT_DOUBLE_EQ(packing.default_job_cores, 2);
  EXPECT_EQ(FilterNames(packing), (std::vector<std::string>{"NodeReady", "MetricsFresh", "ResourceFit",
                                                            "NodeSelector", "MaxParallel"}));
  EXPECT_EQ(ScoreNames(packing), (std::vector<std::string>{"TargetLoadPacking=5", "MemoryHeadroom=1"}));
  EXPECT_EQ(ScoreNames((*profiles)[1]),
            (std::vector<std::string>{"LeastLoaded=7", "MemoryHeadroom=1", "TargetLoadPacking=1"}));
}

TEST(Profile, NodesToFindFollowsKubernetesPercentageOfNodesToScore) {
  struct Row {
    std::size_t nodes;
    int percentage;
    std::size_t want;
  };
  for (const Row& row : std::vector<Row>{{0, 0, 0}, {50, 0, 50}, {99, 10, 99}, {100, 0, 100}, {300, 10, 100},
                                         {1000, 0, 420}, {5000, 0, 500}, {10000, 0, 500}, {1000, 20, 200},
                                         {1000, 100, 1000}}) {
    EXPECT_EQ(NodesToFind(row.nodes, row.percentage), row.want) << row.nodes << " nodes, " << row.percentage << "%";
  }
  auto profiles = Load("profiles:\n  - percentageOfNodesToScore: 30\n");
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  EXPECT_EQ((*profiles)[0].percentage_of_nodes_to_score, 30);
  auto bad = Load("profiles:\n  - percentageOfNodesToScore: 101\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("percentageOfNodesToScore: want an integer in [0, 100]"), std::string::npos);
}

TEST(Profile, BadConfigStopsStartupWithAClearMessage) {
  struct Row {
    std::string name, yaml, want;
  };
  for (const Row& row : std::vector<Row>{
           {"bad argument",
            "profiles:\n  - schedulerName: hot\n    pluginConfig:\n      - name: Thermal\n        args: {maxCelsius: warm}\n",
            "scheduler.yaml: profile \"hot\": plugin Thermal: argument maxCelsius: want a number, got \"warm\""},
           {"unknown argument",
            "profiles:\n  - pluginConfig:\n      - name: MetricsFresh\n        args: {staleness: 1m}\n",
            "profile \"default\": plugin MetricsFresh: argument staleness: unknown argument"},
           {"LatencyAware without target",
            "profiles:\n  - plugins:\n      score:\n        enabled: [{name: LatencyAware}]\n",
            "profile \"default\": plugin LatencyAware: argument target: required"},
           {"unknown plugin", "profiles:\n  - plugins:\n      filter:\n        enabled: [{name: Magic}]\n",
            "plugin Magic: unknown plugin"},
           {"wrong extension point",
            "profiles:\n  - plugins:\n      score:\n        enabled: [{name: Thermal}]\n",
            "plugin Thermal: does not implement extension point score"},
           {"two queue sorts",
            "profiles:\n  - plugins:\n      queueSort:\n        enabled: [{name: PrioritySort}, {name: LeastLoaded}]\n",
            "does not implement extension point queueSort"},
           {"no bind", "profiles:\n  - plugins:\n      bind:\n        disabled: [{name: \"*\"}]\n",
            "bind: at least one plugin must be enabled"},
           {"weight on a filter",
            "profiles:\n  - plugins:\n      filter:\n        enabled: [{name: Thermal, weight: 2}]\n",
            "profiles[0].plugins.filter.enabled[0].weight: only score plugins have a weight"},
           {"weight out of range",
            "profiles:\n  - plugins:\n      score:\n        enabled: [{name: LeastLoaded, weight: 0}]\n",
            "weight: want an integer in [1, 100]"},
           {"unknown extension point", "profiles:\n  - plugins:\n      preFilter: {}\n",
            "profiles[0].plugins.preFilter: unknown extension point"},
           {"unknown profile key", "profiles:\n  - schedulerName: x\n    plugin: {}\n",
            "profiles[0].plugin: unknown key"},
           {"duplicate profile", "profiles:\n  - schedulerName: a\n  - schedulerName: a\n", "duplicate profile a"},
           {"nested args", "profiles:\n  - pluginConfig:\n      - name: Thermal\n        args: {maxCelsius: [1]}\n",
            "args.maxCelsius: want a single value"},
           {"configured twice",
            "profiles:\n  - pluginConfig:\n      - {name: Thermal}\n      - {name: Thermal}\n", "configured twice"},
           {"bad defaultJobCores", "profiles:\n  - defaultJobCores: -1\n", "defaultJobCores"},
           {"not yaml", "profiles: [\n", "scheduler.yaml: "},
           {"top level list", "- a\n", "want a mapping at the top level"},
           {"profiles not a list", "profiles: {a: 1}\n", "profiles: want a list"},
           {"enabled not a list", "profiles:\n  - plugins:\n      filter:\n        enabled: oops\n",
            "profiles[0].plugins.filter.enabled: want a list"},
           {"entry without name", "profiles:\n  - plugins:\n      filter:\n        enabled: [{weight: 1}]\n",
            "profiles[0].plugins.filter.enabled[0].name: required"},
           {"args not a mapping", "profiles:\n  - pluginConfig:\n      - name: Thermal\n        args: [1]\n",
            "profiles[0].pluginConfig[0].args: want a mapping"},
           {"fractional weight",
            "profiles:\n  - plugins:\n      score:\n        enabled: [{name: LeastLoaded, weight: 2.5}]\n",
            "weight: want an integer in [1, 100]"},
           {"unknown top-level key", "profile: []\n", "scheduler.yaml: profile: unknown key"},
           {"tab garbage", "\t\x01: [\n", "scheduler.yaml: "},
       }) {
    SCOPED_TRACE(row.name);
    auto profiles = Load(row.yaml);
    ASSERT_FALSE(profiles.ok());
    EXPECT_NE(profiles.status().message().find(row.want), std::string::npos) << profiles.status().message();
  }
}

}  // namespace
}  // namespace buildfarm::scheduler
