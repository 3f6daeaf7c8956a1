// The built-in plugin list. Every plugin is registered here explicitly, by name, with its argument parser;
// see registry.cc. The returned Registry is a plain value (see framework/registry.h for thread safety).
#pragma once

#include "common/status.h"
#include "scheduler/framework/registry.h"

namespace buildfarm::scheduler::plugins {

Status RegisterBuiltinPlugins(Registry& registry);

// A registry holding exactly the built-in plugins.
Registry BuiltinRegistry();

}  // namespace buildfarm::scheduler::plugins
