// timex collector: the kernel clock discipline's state from adjtimex(2) as node_exporter 1.5's
// node_timex_* metrics (offset, frequency, errors, status, PLL constant, tick, the PPS counters,
// TAI offset and node_timex_sync_status).
//
// The system call sits behind AdjtimexFunction so tests can inject any reading; TimexSamples turns
// a reading into values and is pure. The collector keeps no mutable state and is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "exporter/collector_spec.h"

namespace buildfarm::exporter {

// The fields of struct timex node_exporter reads, plus adjtimex's return value (the clock state).
struct TimexReading {
  int clock_state = 0;  // TIME_OK ... TIME_ERROR (5: not synchronised)
  std::int64_t offset = 0;
  std::int64_t freq = 0;
  std::int64_t maxerror = 0;
  std::int64_t esterror = 0;
  std::int64_t status = 0;
  std::int64_t constant = 0;
  std::int64_t tick = 0;
  std::int64_t ppsfreq = 0;
  std::int64_t jitter = 0;
  std::int64_t shift = 0;
  std::int64_t stabil = 0;
  std::int64_t jitcnt = 0;
  std::int64_t calcnt = 0;
  std::int64_t errcnt = 0;
  std::int64_t stbcnt = 0;
  std::int64_t tai = 0;
};

struct TimexSample {
  const char* name;
  const char* help;
  bool counter;
  double value;
};

// Every node_timex_* series for `reading`, with node_exporter's units (offset and jitter honour
// STA_NANO; frequencies are scaled from the kernel's 16-bit fractional ppm).
std::vector<TimexSample> TimexSamples(const TimexReading& reading);

using AdjtimexFunction = std::function<Result<TimexReading>()>;

// adjtimex(2) in read-only mode. A permission error is kNotFound ("no data"), as node_exporter does.
Result<TimexReading> SystemAdjtimex();

// The spec with the real system call, or with `adjtimex` in its place (tests).
CollectorSpec MakeTimexSpec(AdjtimexFunction adjtimex = SystemAdjtimex);

}  // namespace buildfarm::exporter
