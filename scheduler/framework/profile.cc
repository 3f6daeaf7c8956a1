#include "scheduler/framework/profile.h"

#include <algorithm>

namespace buildfarm::scheduler {
namespace {

constexpr ExtensionPoint kAllPoints[] = {ExtensionPoint::kQueueSort, ExtensionPoint::kFilter, ExtensionPoint::kScore,
                                         ExtensionPoint::kReserve, ExtensionPoint::kBind};

// LeastLoaded weighs twice TargetLoadPacking by default: with equal weights their sum rises with load
// below the target, which would pack a burst onto one node instead of spreading it.
constexpr int kDefaultScoreWeight = 1;

Status ProfileError(const ProfileConfig& config, const std::string& what) {
  return InvalidArgument("profile \"" + config.name + "\": " + what);
}

// The plugins enabled at `point` after applying the profile's enabled/disabled lists to the defaults.
std::vector<PluginRef> ResolvePoint(ExtensionPoint point, const ProfileConfig& config) {
  std::vector<PluginRef> resolved = DefaultPlugins(point, config);
  auto set = config.plugins.find(point);
  if (set == config.plugins.end()) return resolved;
  for (const std::string& name : set->second.disabled) {
    std::erase_if(resolved, [&](const PluginRef& ref) { return name == "*" || ref.name == name; });
  }
  for (const PluginRef& ref : set->second.enabled) {
    auto existing = std::find_if(resolved.begin(), resolved.end(), [&](const PluginRef& r) { return r.name == ref.name; });
    if (existing == resolved.end()) {
      resolved.push_back(ref);
    } else if (ref.weight != 0) {
      existing->weight = ref.weight;
    }
  }
  return resolved;
}

}  // namespace

const char* ExtensionPointName(ExtensionPoint point) {
  switch (point) {
    case ExtensionPoint::kQueueSort: return "queueSort";
    case ExtensionPoint::kFilter: return "filter";
    case ExtensionPoint::kScore: return "score";
    case ExtensionPoint::kReserve: return "reserve";
    case ExtensionPoint::kBind: return "bind";
  }
  return "unknown";
}

std::vector<PluginRef> DefaultPlugins(ExtensionPoint point, const ProfileConfig& config) {
  switch (point) {
    case ExtensionPoint::kQueueSort:
      return {{"PrioritySort", 0}};
    case ExtensionPoint::kFilter:
      return {{"NodeReady", 0},  {"MetricsFresh", 0}, {"ResourceFit", 0}, {"DiskSpace", 0},
              {"Thermal", 0},    {"NodeSelector", 0}, {"MaxParallel", 0}};
    case ExtensionPoint::kScore: {
      std::vector<PluginRef> scores = {{"LeastLoaded", 2 * kDefaultScoreWeight},
                                       {"MemoryHeadroom", kDefaultScoreWeight},
                                       {"TargetLoadPacking", kDefaultScoreWeight}};
      auto latency = config.plugin_config.find("LatencyAware");
      if (latency != config.plugin_config.end() && latency->second.Has("target")) {
        scores.push_back({"LatencyAware", kDefaultScoreWeight});
      }
      return scores;
    }
    case ExtensionPoint::kReserve:
      return {{"NodeReservation", 0}, {"InFlightLoad", 0}};
    case ExtensionPoint::kBind:
      return {{"DefaultBinder", 0}};
  }
  return {};
}

std::size_t NodesToFind(std::size_t node_count, int percentage) {
  constexpr std::size_t kMinNodes = 100;
  if (node_count < kMinNodes || percentage >= 100) return node_count;
  std::size_t adaptive = percentage > 0 ? static_cast<std::size_t>(percentage) : 0;
  if (adaptive == 0) {
    const std::size_t shrink = node_count / 125;
    adaptive = shrink >= 45 ? 5 : 50 - shrink;
  }
  return std::max(kMinNodes, node_count * adaptive / 100);
}

Result<Profile> BuildProfile(const ProfileConfig& config, const Registry& registry) {
  Profile profile;
  profile.name = config.name;
  profile.default_job_cores = config.default_job_cores;
  profile.percentage_of_nodes_to_score = config.percentage_of_nodes_to_score;

  // One instance per plugin name, created from its pluginConfig args. Configured-but-disabled plugins are
  // created too, so that their arguments are validated as well.
  std::map<std::string, std::shared_ptr<const Plugin>, std::less<>> instances;
  auto instance = [&](const std::string& name) -> Result<std::shared_ptr<const Plugin>> {
    if (auto it = instances.find(name); it != instances.end()) return it->second;
    auto args = config.plugin_config.find(name);
    Result<std::unique_ptr<Plugin>> created =
        registry.Create(name, args == config.plugin_config.end() ? PluginArgs() : args->second);
    if (!created.ok()) return ProfileError(config, created.status().message());
    std::shared_ptr<const Plugin> shared = std::move(created).value();
    instances.emplace(name, shared);
    profile.owned.push_back(shared);
    return shared;
  };

  for (ExtensionPoint point : kAllPoints) {
    for (const PluginRef& ref : ResolvePoint(point, config)) {
      Result<std::shared_ptr<const Plugin>> plugin = instance(ref.name);
      if (!plugin.ok()) return plugin.status();
      const Plugin* raw = plugin->get();
      auto wrong_point = [&] {
        return ProfileError(config, "plugin " + ref.name + ": does not implement extension point " +
                                        ExtensionPointName(point));
      };
      switch (point) {
        case ExtensionPoint::kQueueSort: {
          auto* sort = dynamic_cast<const QueueSortPlugin*>(raw);
          if (sort == nullptr) return wrong_point();
          if (profile.queue_sort != nullptr) {
            return ProfileError(config, "queueSort: only one plugin may be enabled, got " +
                                            std::string(profile.queue_sort->Name()) + " and " + ref.name);
          }
          profile.queue_sort = sort;
          break;
        }
        case ExtensionPoint::kFilter: {
          auto* filter = dynamic_cast<const FilterPlugin*>(raw);
          if (filter == nullptr) return wrong_point();
          profile.filters.push_back(filter);
          break;
        }
        case ExtensionPoint::kScore: {
          auto* score = dynamic_cast<const ScorePlugin*>(raw);
          if (score == nullptr) return wrong_point();
          profile.scores.push_back({score, ref.weight == 0 ? kDefaultScoreWeight : ref.weight});
          break;
        }
        case ExtensionPoint::kReserve: {
          auto* reserve = dynamic_cast<const ReservePlugin*>(raw);
          if (reserve == nullptr) return wrong_point();
          profile.reserves.push_back(reserve);
          break;
        }
        case ExtensionPoint::kBind: {
          auto* bind = dynamic_cast<const BindPlugin*>(raw);
          if (bind == nullptr) return wrong_point();
          profile.binds.push_back(bind);
          break;
        }
      }
    }
  }
  for (const auto& [name, args] : config.plugin_config) {
    Result<std::shared_ptr<const Plugin>> plugin = instance(name);
    if (!plugin.ok()) return plugin.status();
  }
  if (profile.queue_sort == nullptr) return ProfileError(config, "queueSort: exactly one plugin must be enabled");
  if (profile.binds.empty()) return ProfileError(config, "bind: at least one plugin must be enabled");
  return profile;
}

Result<std::vector<Profile>> LoadProfiles(std::string_view yaml_text, std::string_view source,
                                          const Registry& registry) {
  Result<std::vector<ProfileConfig>> configs = ParseProfiles(yaml_text, source);
  if (!configs.ok()) return configs.status();
  std::vector<Profile> profiles;
  for (const ProfileConfig& config : *configs) {
    Result<Profile> profile = BuildProfile(config, registry);
    if (!profile.ok()) return profile.status().WithContext(source);
    profiles.push_back(std::move(profile).value());
  }
  return profiles;
}

}  // namespace buildfarm::scheduler
