#include "scheduler/plugins/thermal.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;
using Kind = Verdict::Kind;

TEST(Thermal, MaximumTemperature) {
  Thermal plugin({.max_celsius = 85});
  RunFilterCases(plugin, {
      {"cool", NodeBuilder().Temperature(45), JobBuilder(), Kind::kFits},
      {"at the maximum", NodeBuilder().Temperature(85), JobBuilder(), Kind::kFits},
      {"too hot", NodeBuilder().Temperature(92.5), JobBuilder(), Kind::kUnschedulable,
       "temperature 92.5°C above maximum 85°C"},
      {"no sensors", NodeBuilder(), JobBuilder(), Kind::kFits},
      {"no metrics", NodeBuilder().NoMetrics(), JobBuilder(), Kind::kFits},
  });
}

TEST(Thermal, Args) {
  RunArgsCases(&ParseThermalArgs, {
      {"default", Args({}), ""},
      {"number", Args({{"maxCelsius", "80"}}), ""},
      {"not a number", Args({{"maxCelsius", "hot"}}), "argument maxCelsius: want a number, got \"hot\""},
      {"out of range", Args({{"maxCelsius", "500"}}), "argument maxCelsius: want a number in [-50, 200]"},
  });
  EXPECT_DOUBLE_EQ(ParseThermalArgs(Args({}))->max_celsius, 90);
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
