// Registry: plugin names mapped to factories that build a plugin from its validated arguments.
//
// The built-in list is written out explicitly in scheduler/plugins/registry.cc (BuiltinRegistry); there is
// no static self-registration.
//
// Thread safety: a Registry is filled once at startup and then only read; concurrent reads are safe,
// concurrent Register calls are not.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler {

// Parses and validates `args`, then builds the plugin. Errors name the argument ("argument lease: ...").
using PluginFactory = std::function<Result<std::unique_ptr<Plugin>>(const PluginArgs& args)>;

class Registry {
 public:
  // Fails on a duplicate or empty name.
  Status Register(std::string name, PluginFactory factory);

  bool Contains(std::string_view name) const { return factories_.find(name) != factories_.end(); }
  std::vector<std::string> Names() const;

  // Errors are InvalidArgument and start with "plugin <name>: ".
  Result<std::unique_ptr<Plugin>> Create(std::string_view name, const PluginArgs& args) const;

 private:
  std::map<std::string, PluginFactory, std::less<>> factories_;
};

// Helper for factories: wraps "parse args, then construct" for a plugin type with an Args struct.
template <typename PluginType, typename Args>
PluginFactory MakeFactory(Result<Args> (*parse)(const PluginArgs&)) {
  return [parse](const PluginArgs& raw) -> Result<std::unique_ptr<Plugin>> {
    Result<Args> args = parse(raw);
    if (!args.ok()) return args.status();
    return std::unique_ptr<Plugin>(std::make_unique<PluginType>(std::move(args).value()));
  };
}

}  // namespace buildfarm::scheduler
