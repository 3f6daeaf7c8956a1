// The built-in collectors, listed explicitly in a fixed order.
//
// BuiltinCollectorSpecs() is called once at startup, from main's thread; it shares no state between
// calls, so it is thread-safe.
#pragma once

#include <vector>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// Fresh specs with their own option storage on every call.
std::vector<CollectorSpec> BuiltinCollectorSpecs();

}  // namespace buildfarm::exporter
