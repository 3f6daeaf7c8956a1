// GrowingThreadPool: cpp-httplib's TaskQueue with threads started on demand, up to a cap, that leave
// after idling for a while, and a bounded wait queue.
//
// An idle exporter holds no request threads; a burst gets up to `max_threads` at once. httplib runs one
// task per connection (for its whole keep-alive life), so the cap bounds the connections served at once.
// When every thread is busy, at most `max_queued` connections wait; a connection beyond that is not
// queued but handed to `reject` on the accepting thread at once, which answers it 503 and closes it, so
// a flood of connections cannot grow memory or delay the ones already waiting without bound.
//
// Thread-safe: enqueue() is called by httplib's accept thread, shutdown() by the server's owner.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "common/mutex.h"

namespace buildfarm::http_internal {

class GrowingThreadPool final : public httplib::TaskQueue {
 public:
  // `reject(task)` runs `task` so that it only refuses its connection (see GuardedServer).
  using Rejecter = std::function<void(std::function<void()> task)>;

  GrowingThreadPool(std::size_t max_threads, std::size_t max_queued, std::chrono::seconds idle_exit, Rejecter reject);
  ~GrowingThreadPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work(std::list<std::thread>::iterator self) EXCLUDES(mu_);
  // Joins threads that have left their loop (they only have to return from Work), with mu_ released
  // meanwhile: the caller's MutexLock still owns mu_ afterwards.
  void JoinExited() REQUIRES(mu_);

  const std::size_t max_threads_;
  const std::size_t max_queued_;
  const std::chrono::seconds idle_exit_;
  const Rejecter reject_;
  Mutex mu_;
  std::condition_variable cv_;       // idle threads wait here for jobs
  std::condition_variable exit_cv_;  // shutdown waits here for threads to leave
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  std::list<std::thread> threads_ GUARDED_BY(mu_);  // running Work
  std::list<std::thread> exited_ GUARDED_BY(mu_);   // left Work, not yet joined
  std::size_t idle_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
};

}  // namespace buildfarm::http_internal
