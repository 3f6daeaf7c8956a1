// ScrapeGate lets at most `slots` scrapes of /metrics collect at once; the others wait their turn.
// Collecting is CPU-bound, so more scrapes at once than CPUs gain no throughput, while each one holds
// its metric families and text until it is done (about 150 KiB on the default collectors): 16
// concurrent scrapes cost 1.3 MB more peak RSS without the gate (docs/PERFORMANCE.md, issue 12).
// Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>

#include "common/mutex.h"

namespace buildfarm::exporter {

class ScrapeGate {
 public:
  explicit ScrapeGate(int slots) : free_(std::max(slots, 1)) {}
  ScrapeGate(const ScrapeGate&) = delete;
  ScrapeGate& operator=(const ScrapeGate&) = delete;

  // Waits for a free slot and holds it for its lifetime.
  class Slot {
   public:
    explicit Slot(ScrapeGate& gate) : gate_(gate) {
      MutexLock lock(gate_.mu_);
      ++gate_.waiting_;
      lock.Wait(gate_.freed_, [&]() REQUIRES(gate_.mu_) { return gate_.free_ > 0; });
      --gate_.waiting_;
      --gate_.free_;
    }
    ~Slot() {
      {
        MutexLock lock(gate_.mu_);
        ++gate_.free_;
      }
      gate_.freed_.notify_one();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    ScrapeGate& gate_;
  };

  // Slots nobody holds, and scrapes waiting for one, right now (for tests and diagnostics).
  int free_slots() {
    MutexLock lock(mu_);
    return free_;
  }
  int waiting() {
    MutexLock lock(mu_);
    return waiting_;
  }

 private:
  Mutex mu_;
  std::condition_variable freed_;
  int free_ GUARDED_BY(mu_);
  int waiting_ GUARDED_BY(mu_) = 0;
};

}  // namespace buildfarm::exporter
