// PeriodicTask: runs a function on its own thread every interval (the first round at once) until
// Stop, which wakes the thread rather than waiting out the interval. Background publishers use it
// so no request or scrape waits for the network.
//
// Thread safety: Start and Stop are for the owning thread; the function runs on the task's thread.
// Stop (also run by the destructor) returns after the round in progress, if any, has finished.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <thread>
#include <utility>

#include "common/mutex.h"

namespace buildfarm {

class PeriodicTask {
 public:
  PeriodicTask() = default;
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  ~PeriodicTask() { Stop(); }

  // Does nothing when already running.
  void Start(std::chrono::duration<double> interval, std::function<void()> round) {
    if (thread_.joinable()) return;
    {
      MutexLock lock(mutex_);
      stopping_ = false;
    }
    thread_ = std::thread([this, interval, round = std::move(round)] {
      MutexLock lock(mutex_);
      while (!stopping_) {
        lock.Unlock();
        round();
        lock.Lock();
        lock.WaitFor(wake_, interval, [this]() REQUIRES(mutex_) { return stopping_; });
      }
    });
  }

  void Stop() {
    {
      MutexLock lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace buildfarm
