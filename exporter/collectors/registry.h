// The built-in collectors, listed explicitly in a fixed order.
#pragma once

#include <vector>

#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// Fresh specs with their own option storage on every call.
std::vector<CollectorSpec> BuiltinCollectorSpecs();

}  // namespace buildfarm::exporter
