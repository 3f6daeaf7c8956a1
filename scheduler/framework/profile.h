// Scheduling profiles: which plugins run at each extension point, with what weights and arguments.
//
// The YAML follows KubeSchedulerConfiguration:
//
//   profiles:
//     - schedulerName: default
//       defaultJobCores: 1          # assumed cores of a job whose requirements name none
//       percentageOfNodesToScore: 0 # 0 = adaptive, as in Kubernetes; 100 = always every node
//       plugins:
//         filter:  {disabled: [{name: Thermal}]}
//         score:   {enabled: [{name: LatencyAware, weight: 2}]}
//       pluginConfig:
//         - name: LatencyAware
//           args: {target: git, maxRtt: 50ms}
//
// Each extension point starts from the default plugin set; `disabled` removes plugins ("*" removes all),
// `enabled` appends plugins or, for a plugin already present, replaces its weight. With no profiles at all
// one default profile is used. ParseProfiles only checks the document's shape; BuildProfile instantiates the
// plugins and validates every argument, so a bad config stops startup with a message naming the profile,
// the plugin and the argument. Config values are plain data; a built Profile is immutable and its plugins
// may be shared by cycles on several threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"
#include "scheduler/framework/registry.h"

namespace buildfarm::scheduler {

enum class ExtensionPoint { kQueueSort, kFilter, kScore, kReserve, kBind };
const char* ExtensionPointName(ExtensionPoint point);  // the YAML key: queueSort, filter, ...

struct PluginRef {
  std::string name;
  int weight = 0;  // scores only; 0 means "the default weight"
};

struct PluginSetConfig {
  std::vector<PluginRef> enabled;
  std::vector<std::string> disabled;  // "*" disables every default plugin of this point
};

struct ProfileConfig {
  std::string name = "default";
  double default_job_cores = 1;
  int percentage_of_nodes_to_score = 0;
  std::map<ExtensionPoint, PluginSetConfig> plugins;
  std::map<std::string, PluginArgs, std::less<>> plugin_config;
};

// The default plugin set of one extension point for `config` (LatencyAware is a default score only when
// its pluginConfig names a target).
std::vector<PluginRef> DefaultPlugins(ExtensionPoint point, const ProfileConfig& config);

// Parses a KubeSchedulerConfiguration-style document (keys apiVersion, kind, profiles). An empty document
// or one without profiles yields one default profile. `source` names the file in error messages. yaml-cpp
// exceptions are caught here.
Result<std::vector<ProfileConfig>> ParseProfiles(std::string_view yaml_text, std::string_view source);

struct WeightedScore {
  const ScorePlugin* plugin = nullptr;
  int weight = 1;
};

struct Profile {
  std::string name;
  double default_job_cores = 1;
  // Filtering stops once this share of the nodes was found feasible (0 = adaptive); see NodesToFind.
  int percentage_of_nodes_to_score = 0;
  const QueueSortPlugin* queue_sort = nullptr;
  std::vector<const FilterPlugin*> filters;
  std::vector<WeightedScore> scores;
  std::vector<const ReservePlugin*> reserves;
  std::vector<const BindPlugin*> binds;
  std::vector<std::shared_ptr<const Plugin>> owned;  // one instance per plugin name
};

// Resolves enabled/disabled against the defaults, creates each plugin once from its pluginConfig args and
// checks that it implements every point it is enabled at. Exactly one QueueSort and at least one Bind.
Result<Profile> BuildProfile(const ProfileConfig& config, const Registry& registry);

// How many feasible nodes a cycle looks for among `node_count` before it stops filtering and scores
// what it found, after Kubernetes' percentageOfNodesToScore: every node when there are fewer than 100;
// otherwise `percentage` of them (when 0: 50% minus 1% per 125 nodes, at least 5%), and at least 100.
// Each job starts where the previous one stopped, so every node gets its turn.
std::size_t NodesToFind(std::size_t node_count, int percentage);

// Parses and builds every profile; the first error stops.
Result<std::vector<Profile>> LoadProfiles(std::string_view yaml_text, std::string_view source,
                                          const Registry& registry);

}  // namespace buildfarm::scheduler
