// Thermal filter: the node's hottest sensor is at most max_celsius (90 °C by default). A node that reports
// no temperature (no sensors, or a VM) fits: absence of a sensor is not a sign of heat.
//
// Immutable after construction; thread-safe.
#pragma once

#include "common/status.h"
#include "scheduler/framework/plugin.h"
#include "scheduler/framework/plugin_args.h"

namespace buildfarm::scheduler::plugins {

struct ThermalArgs {
  double max_celsius = 90;  // "maxCelsius"
};
Result<ThermalArgs> ParseThermalArgs(const PluginArgs& args);

class Thermal final : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "Thermal";
  explicit Thermal(ThermalArgs args) : args_(args) {}
  std::string_view Name() const override { return kName; }
  Verdict Filter(const CycleState& state, const JobView& job, const NodeView& node) const override;

 private:
  ThermalArgs args_;
};

}  // namespace buildfarm::scheduler::plugins
