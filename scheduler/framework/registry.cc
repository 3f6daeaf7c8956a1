#include "scheduler/framework/registry.h"

namespace buildfarm::scheduler {

Status Registry::Register(std::string name, PluginFactory factory) {
  if (name.empty()) return InvalidArgument("plugin registry: empty plugin name");
  if (!factory) return InvalidArgument("plugin registry: plugin " + name + " has no factory");
  if (!factories_.emplace(name, std::move(factory)).second) {
    return InvalidArgument("plugin registry: plugin " + name + " registered twice");
  }
  return Status::Ok();
}

std::vector<std::string> Registry::Names() const {
  std::vector<std::string> names;
  names.reserve(factories_.size());
  for (const auto& entry : factories_) names.push_back(entry.first);
  return names;
}

Result<std::unique_ptr<Plugin>> Registry::Create(std::string_view name, const PluginArgs& args) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) return InvalidArgument("plugin " + std::string(name) + ": unknown plugin");
  Result<std::unique_ptr<Plugin>> plugin = it->second(args);
  if (!plugin.ok()) return InvalidArgument("plugin " + std::string(name) + ": " + plugin.status().message());
  if (*plugin == nullptr) return Internal("plugin " + std::string(name) + ": factory returned nothing");
  return plugin;
}

}  // namespace buildfarm::scheduler
