// Mutex and MutexLock: std::mutex and std::unique_lock with Clang thread-safety annotations, so that
// members marked GUARDED_BY(mu_) are checked by -Wthread-safety (libstdc++'s own types are not annotated).
// MutexLock also waits on a std::condition_variable, releasing the mutex while blocked like
// std::condition_variable::wait. A predicate that reads guarded members is written
// `[&]() REQUIRES(mu_) { ... }`: it runs with the mutex held.
//
// Thread safety: Mutex is a mutex; a MutexLock belongs to the thread that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/thread_annotations.h"

namespace buildfarm {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Gives the mutex up for a while (e.g. to run a callback) and takes it back.
  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }

  void Wait(std::condition_variable& cv) { cv.wait(lock_); }
  template <class Predicate>
  void Wait(std::condition_variable& cv, Predicate done) {
    cv.wait(lock_, done);
  }
  // False when the time ran out with `done` still false.
  template <class Rep, class Period, class Predicate>
  bool WaitFor(std::condition_variable& cv, std::chrono::duration<Rep, Period> timeout, Predicate done) {
    return cv.wait_for(lock_, timeout, done);
  }
  template <class Clock, class Duration, class Predicate>
  bool WaitUntil(std::condition_variable& cv, std::chrono::time_point<Clock, Duration> deadline, Predicate done) {
    return cv.wait_until(lock_, deadline, done);
  }
  // Without a predicate: false on timeout (the caller rechecks its condition either way).
  template <class Rep, class Period>
  bool WaitFor(std::condition_variable& cv, std::chrono::duration<Rep, Period> timeout) {
    return cv.wait_for(lock_, timeout) == std::cv_status::no_timeout;
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace buildfarm
