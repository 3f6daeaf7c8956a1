#include "exporter/collectors/timex.h"

#include <gtest/gtest.h>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

// A synchronised clock in microsecond mode, values modelled on a chrony-disciplined host.
TimexReading Synchronised() {
  TimexReading r;
  r.clock_state = 0;  // TIME_OK
  r.offset = -1500;   // us
  r.freq = -1102516;  // -16.82 ppm in 16-bit fractional ppm
  r.maxerror = 51000;
  r.esterror = 250;
  r.status = 0x0001;  // STA_PLL; STA_NANO is tested separately
  r.constant = 7;
  r.tick = 10000;
  r.ppsfreq = 65536;
  r.jitter = 300;
  r.shift = 4;
  r.stabil = 131072;
  r.jitcnt = 1;
  r.calcnt = 2;
  r.errcnt = 3;
  r.stbcnt = 4;
  r.tai = 37;
  return r;
}

TEST(TimexCollector, ExportsEveryNodeExporterSeries) {
  auto families = CollectFrom(MakeTimexSpec([] { return Result<TimexReading>(Synchronised()); }), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  struct Want {
    const char* name;
    double value;
    prometheus::MetricType type;
  };
  for (const Want& w : std::vector<Want>{
           {"node_timex_sync_status", 1, kGauge},
           {"node_timex_offset_seconds", -0.0015, kGauge},
           {"node_timex_frequency_adjustment_ratio", 1 + -1102516 / (1e6 * 65536.0), kGauge},
           {"node_timex_maxerror_seconds", 0.051, kGauge},
           {"node_timex_estimated_error_seconds", 0.00025, kGauge},
           {"node_timex_status", 1, kGauge},
           {"node_timex_loop_time_constant", 7, kGauge},
           {"node_timex_tick_seconds", 0.01, kGauge},
           {"node_timex_pps_frequency_hertz", 65536 / (1e6 * 65536.0), kGauge},
           {"node_timex_pps_jitter_seconds", 0.0003, kGauge},
           {"node_timex_pps_shift_seconds", 4, kGauge},
           {"node_timex_pps_stability_hertz", 131072 / (1e6 * 65536.0), kGauge},
           {"node_timex_pps_jitter_total", 1, kCounter},
           {"node_timex_pps_calibration_total", 2, kCounter},
           {"node_timex_pps_error_total", 3, kCounter},
           {"node_timex_pps_stability_exceeded_total", 4, kCounter},
           {"node_timex_tai_offset_seconds", 37, kGauge},
       }) {
    EXPECT_DOUBLE_EQ(SampleValue(*families, w.name, {}), w.value) << w.name;
    const auto* family = FindFamily(*families, w.name);
    ASSERT_NE(family, nullptr) << w.name;
    EXPECT_EQ(family->type, w.type) << w.name;
  }
  EXPECT_EQ(families->size(), 17u);
}

TEST(TimexSamples, NanosecondModeAndUnsynchronisedClock) {
  TimexReading r = Synchronised();
  r.clock_state = 5;  // TIME_ERROR
  r.status = 0x2000 | 0x0040;  // STA_NANO | STA_UNSYNC
  r.offset = 2500000;          // ns
  r.jitter = 1000;             // ns
  std::map<std::string, double> values;
  for (const auto& sample : TimexSamples(r)) values[sample.name] = sample.value;
  EXPECT_EQ(values["node_timex_sync_status"], 0);
  EXPECT_DOUBLE_EQ(values["node_timex_offset_seconds"], 0.0025);
  EXPECT_DOUBLE_EQ(values["node_timex_pps_jitter_seconds"], 1e-6);
  // maxerror, esterror and tick are always microseconds.
  EXPECT_DOUBLE_EQ(values["node_timex_maxerror_seconds"], 0.051);
  EXPECT_EQ(values["node_timex_status"], 0x2040);
}

TEST(TimexCollector, ErrorsPassThrough) {
  auto denied = CollectFrom(MakeTimexSpec([] { return Result<TimexReading>(NotFound("adjtimex: EPERM")); }),
                            FixturePaths());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kNotFound);
}

TEST(TimexCollector, TheRealCallAnswers) {
  auto reading = SystemAdjtimex();
  ASSERT_TRUE(reading.ok()) << reading.status().ToString();
  EXPECT_GT(reading->tick, 0);
}

}  // namespace
}  // namespace buildfarm::exporter
