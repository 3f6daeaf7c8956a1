#include "exporter/collectors/timex.h"

#include <sys/timex.h>

#include <cerrno>
#include <cstring>

namespace buildfarm::exporter {
namespace {

constexpr int kTimeError = 5;            // TIME_ERROR: the clock is not synchronised
constexpr std::int64_t kStaNano = 0x2000;  // STA_NANO: offset and jitter are in ns, not us
constexpr double kMicro = 1e6;
constexpr double kNano = 1e9;
constexpr double kPpm16Frac = 1e6 * 65536.0;  // frequencies are ppm with a 16-bit fraction, see adjtimex(2)

}  // namespace

std::vector<TimexSample> TimexSamples(const TimexReading& r) {
  double divisor = (r.status & kStaNano) != 0 ? kNano : kMicro;
  auto d = [](std::int64_t v) { return static_cast<double>(v); };
  return {
      {"node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).", false,
       r.clock_state == kTimeError ? 0.0 : 1.0},
      {"node_timex_offset_seconds", "Time offset in between local system and reference clock.", false,
       d(r.offset) / divisor},
      {"node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.", false,
       1 + d(r.freq) / kPpm16Frac},
      {"node_timex_maxerror_seconds", "Maximum error in seconds.", false, d(r.maxerror) / kMicro},
      {"node_timex_estimated_error_seconds", "Estimated error in seconds.", false, d(r.esterror) / kMicro},
      {"node_timex_status", "Value of the status array bits.", false, d(r.status)},
      {"node_timex_loop_time_constant", "Phase-locked loop time constant.", false, d(r.constant)},
      {"node_timex_tick_seconds", "Seconds between clock ticks.", false, d(r.tick) / kMicro},
      {"node_timex_pps_frequency_hertz", "Pulse per second frequency.", false, d(r.ppsfreq) / kPpm16Frac},
      {"node_timex_pps_jitter_seconds", "Pulse per second jitter.", false, d(r.jitter) / divisor},
      {"node_timex_pps_shift_seconds", "Pulse per second interval duration.", false, d(r.shift)},
      {"node_timex_pps_stability_hertz", "Pulse per second stability, average of recent frequency changes.", false,
       d(r.stabil) / kPpm16Frac},
      {"node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.", true, d(r.jitcnt)},
      {"node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.", true, d(r.calcnt)},
      {"node_timex_pps_error_total", "Pulse per second count of calibration errors.", true, d(r.errcnt)},
      {"node_timex_pps_stability_exceeded_total", "Pulse per second count of stability limit exceeded events.", true,
       d(r.stbcnt)},
      {"node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", false, d(r.tai)},
  };
}

Result<TimexReading> SystemAdjtimex() {
  struct timex tx {};  // modes 0: read only
  int state = adjtimex(&tx);
  if (state < 0) {
    std::string message = std::string("adjtimex: ") + std::strerror(errno);
    if (errno == EPERM) return NotFound(message);
    return IoError(message);
  }
  return TimexReading{state,     tx.offset,  tx.freq,   tx.maxerror, tx.esterror, tx.status,
                      tx.constant, tx.tick,  tx.ppsfreq, tx.jitter, tx.shift,    tx.stabil,
                      tx.jitcnt, tx.calcnt,  tx.errcnt, tx.stbcnt,  tx.tai};
}

namespace {

class TimexCollector : public Collector {
 public:
  explicit TimexCollector(AdjtimexFunction adjtimex) : adjtimex_(std::move(adjtimex)) {}
  std::string_view name() const override { return "timex"; }

  Status Collect(Families& out) override {
    auto reading = adjtimex_();
    if (!reading.ok()) return reading.status();
    for (const auto& sample : TimexSamples(*reading)) {
      AddSingle(out, sample.name, sample.help, sample.counter ? kCounter : kGauge, sample.value);
    }
    return Status::Ok();
  }

 private:
  AdjtimexFunction adjtimex_;
};

}  // namespace

CollectorSpec MakeTimexSpec(AdjtimexFunction adjtimex) {
  CollectorSpec spec;
  spec.name = "timex";
  spec.create = [adjtimex = std::move(adjtimex)](const CollectorEnv&) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<TimexCollector>(adjtimex));
  };
  return spec;
}

}  // namespace buildfarm::exporter
