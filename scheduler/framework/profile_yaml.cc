// The yaml-cpp adapter for profiles: the only place in the scheduler framework that touches yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <set>

#include "scheduler/framework/profile.h"

namespace buildfarm::scheduler {
namespace {

struct Context {
  std::string_view source;
  std::string at;  // "profiles[0].plugins.score"
};

Status Error(const Context& ctx, const std::string& key, const std::string& what) {
  std::string where = ctx.at.empty() ? key : (key.empty() ? ctx.at : ctx.at + "." + key);
  return InvalidArgument(std::string(ctx.source) + ": " + where + ": " + what);
}

Status CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed, const Context& ctx) {
  for (const auto& entry : map) {
    std::string key = entry.first.as<std::string>();
    if (allowed.count(key) == 0) return Error(ctx, key, "unknown key");
  }
  return Status::Ok();
}

Result<std::string> ReadName(const YAML::Node& entry, const Context& ctx) {
  if (!entry.IsMap()) return Error(ctx, "", "want a mapping with a name");
  const YAML::Node name = entry["name"];
  if (!name || !name.IsScalar() || name.Scalar().empty()) return Error(ctx, "name", "required");
  return name.Scalar();
}

Status ParsePluginSet(const YAML::Node& node, ExtensionPoint point, Context ctx, PluginSetConfig* out) {
  if (!node.IsMap()) return Error(ctx, "", "want a mapping with enabled and/or disabled");
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, {"enabled", "disabled"}, ctx));
  for (const char* key : {"enabled", "disabled"}) {
    const YAML::Node list = node[key];
    if (!list || list.IsNull()) continue;
    if (!list.IsSequence()) return Error(ctx, key, "want a list");
    for (std::size_t i = 0; i < list.size(); ++i) {
      Context item{ctx.source, ctx.at + "." + key + "[" + std::to_string(i) + "]"};
      Result<std::string> name = ReadName(list[i], item);
      if (!name.ok()) return name.status();
      if (std::string(key) == "disabled") {
        BUILDFARM_RETURN_IF_ERROR(CheckKeys(list[i], {"name"}, item));
        out->disabled.push_back(*name);
        continue;
      }
      BUILDFARM_RETURN_IF_ERROR(CheckKeys(list[i], {"name", "weight"}, item));
      PluginRef ref{*name, 0};
      if (const YAML::Node weight = list[i]["weight"]) {
        if (point != ExtensionPoint::kScore) return Error(item, "weight", "only score plugins have a weight");
        int value = 0;
        if (!YAML::convert<int>::decode(weight, value) || value < 1 || value > 100) {
          return Error(item, "weight", "want an integer in [1, 100]");
        }
        ref.weight = value;
      }
      out->enabled.push_back(std::move(ref));
    }
  }
  return Status::Ok();
}

Status ParsePluginConfig(const YAML::Node& node, Context ctx, ProfileConfig* out) {
  if (!node.IsSequence()) return Error(ctx, "", "want a list of {name, args}");
  for (std::size_t i = 0; i < node.size(); ++i) {
    Context item{ctx.source, ctx.at + "[" + std::to_string(i) + "]"};
    Result<std::string> name = ReadName(node[i], item);
    if (!name.ok()) return name.status();
    BUILDFARM_RETURN_IF_ERROR(CheckKeys(node[i], {"name", "args"}, item));
    PluginArgs args;
    const YAML::Node raw = node[i]["args"];
    if (raw && !raw.IsNull()) {
      if (!raw.IsMap()) return Error(item, "args", "want a mapping");
      for (const auto& entry : raw) {
        std::string key = entry.first.as<std::string>();
        if (!entry.second.IsScalar()) return Error(item, "args." + key, "want a single value");
        args.Set(key, entry.second.Scalar());
      }
    }
    if (!out->plugin_config.emplace(*name, std::move(args)).second) {
      return Error(item, "name", "plugin " + *name + " configured twice");
    }
  }
  return Status::Ok();
}

Result<ProfileConfig> ParseProfile(const YAML::Node& node, const Context& ctx) {
  if (!node.IsMap()) return Error(ctx, "", "want a mapping");
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, {"schedulerName", "defaultJobCores", "percentageOfNodesToScore", "plugins", "pluginConfig"}, ctx));
  ProfileConfig config;
  if (const YAML::Node name = node["schedulerName"]) {
    if (!name.IsScalar() || name.Scalar().empty()) return Error(ctx, "schedulerName", "want a non-empty name");
    config.name = name.Scalar();
  }
  if (const YAML::Node cores = node["defaultJobCores"]) {
    double value = 0;
    if (!YAML::convert<double>::decode(cores, value) || !(value > 0) || value > 1024) {
      return Error(ctx, "defaultJobCores", "want a number of cores in (0, 1024]");
    }
    config.default_job_cores = value;
  }
  if (const YAML::Node percentage = node["percentageOfNodesToScore"]) {
    int value = -1;
    if (!YAML::convert<int>::decode(percentage, value) || value < 0 || value > 100) {
      return Error(ctx, "percentageOfNodesToScore", "want an integer in [0, 100]");
    }
    config.percentage_of_nodes_to_score = value;
  }
  if (const YAML::Node plugins = node["plugins"]; plugins && !plugins.IsNull()) {
    if (!plugins.IsMap()) return Error(ctx, "plugins", "want a mapping of extension points");
    for (const auto& entry : plugins) {
      std::string key = entry.first.as<std::string>();
      bool known = false;
      for (ExtensionPoint point : {ExtensionPoint::kQueueSort, ExtensionPoint::kFilter, ExtensionPoint::kScore,
                                   ExtensionPoint::kReserve, ExtensionPoint::kBind}) {
        if (key != ExtensionPointName(point)) continue;
        known = true;
        Context sub{ctx.source, ctx.at + ".plugins." + key};
        BUILDFARM_RETURN_IF_ERROR(ParsePluginSet(entry.second, point, sub, &config.plugins[point]));
      }
      if (!known) return Error(ctx, "plugins." + key, "unknown extension point (queueSort, filter, score, reserve, bind)");
    }
  }
  if (const YAML::Node plugin_config = node["pluginConfig"]; plugin_config && !plugin_config.IsNull()) {
    BUILDFARM_RETURN_IF_ERROR(ParsePluginConfig(plugin_config, Context{ctx.source, ctx.at + ".pluginConfig"}, &config));
  }
  return config;
}

}  // namespace

Result<std::vector<ProfileConfig>> ParseProfiles(std::string_view yaml_text, std::string_view source) {
  std::vector<ProfileConfig> profiles;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    Context ctx{source, ""};
    if (!root.IsNull()) {
      if (!root.IsMap()) return Error(ctx, "", "want a mapping at the top level");
      BUILDFARM_RETURN_IF_ERROR(CheckKeys(root, {"apiVersion", "kind", "profiles"}, ctx));
      const YAML::Node list = root["profiles"];
      if (list && !list.IsNull()) {
        if (!list.IsSequence()) return Error(ctx, "profiles", "want a list");
        std::set<std::string> names;
        for (std::size_t i = 0; i < list.size(); ++i) {
          Context item{source, "profiles[" + std::to_string(i) + "]"};
          Result<ProfileConfig> profile = ParseProfile(list[i], item);
          if (!profile.ok()) return profile.status();
          if (!names.insert(profile->name).second) {
            return Error(item, "schedulerName", "duplicate profile " + profile->name);
          }
          profiles.push_back(std::move(profile).value());
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ": " + e.what());
  }
  if (profiles.empty()) profiles.emplace_back();
  return profiles;
}

}  // namespace buildfarm::scheduler
