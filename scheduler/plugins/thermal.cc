#include "scheduler/plugins/thermal.h"

#include "scheduler/plugins/plugin_util.h"

namespace buildfarm::scheduler::plugins {

Result<ThermalArgs> ParseThermalArgs(const PluginArgs& args) {
  ThermalArgs out;
  BUILDFARM_RETURN_IF_ERROR(args.ReadDouble("maxCelsius", -50, 200, &out.max_celsius));
  BUILDFARM_RETURN_IF_ERROR(args.CheckNoUnknown({"maxCelsius"}));
  return out;
}

Verdict Thermal::Filter(const CycleState& /*state*/, const JobView& /*job*/, const NodeView& node) const {
  if (!node.metrics || !node.metrics->max_temperature_celsius) return Verdict::Fits();
  const double celsius = *node.metrics->max_temperature_celsius;
  if (celsius > args_.max_celsius) {
    return Verdict::Unschedulable(ReasonBuilder()
                                      .Add("temperature ").Number(celsius, 1)
                                      .Add("°C above maximum ").Number(args_.max_celsius, 1)
                                      .Add("°C")
                                      .Take());
  }
  return Verdict::Fits();
}

}  // namespace buildfarm::scheduler::plugins
