#include "common/http_thread_pool.h"

#include <algorithm>
#include <system_error>
#include <utility>

namespace buildfarm::http_internal {

GrowingThreadPool::GrowingThreadPool(std::size_t max_threads, std::size_t max_queued, std::chrono::seconds idle_exit,
                                     Rejecter reject)
    : max_threads_(std::max<std::size_t>(max_threads, 1)),
      max_queued_(max_queued),
      idle_exit_(idle_exit),
      reject_(std::move(reject)) {}

GrowingThreadPool::~GrowingThreadPool() { shutdown(); }

void GrowingThreadPool::enqueue(std::function<void()> fn) {
  MutexLock lock(mu_);
  JoinExited();
  if (idle_ > jobs_.size()) {
    jobs_.push_back(std::move(fn));
    lock.Unlock();
    cv_.notify_one();
    return;
  }
  if (threads_.size() < max_threads_) {
    jobs_.push_back(std::move(fn));
    auto self = threads_.emplace(threads_.end());
    try {
      *self = std::thread([this, self] { Work(self); });
    } catch (const std::system_error&) {
      threads_.erase(self);  // out of threads: the job waits for a busy one to finish
    }
    return;
  }
  if (jobs_.size() >= max_queued_ && reject_) {
    lock.Unlock();
    reject_(std::move(fn));
    return;
  }
  jobs_.push_back(std::move(fn));
}

void GrowingThreadPool::shutdown() {
  MutexLock lock(mu_);
  stopping_ = true;
  cv_.notify_all();
  while (!threads_.empty() || !exited_.empty()) {
    JoinExited();
    if (threads_.empty()) break;
    lock.Wait(exit_cv_);
  }
}

void GrowingThreadPool::Work(std::list<std::thread>::iterator self) {
  MutexLock lock(mu_);
  while (true) {
    if (jobs_.empty()) {
      if (stopping_) break;
      ++idle_;
      bool woken = lock.WaitFor(cv_, idle_exit_, [&]() REQUIRES(mu_) { return stopping_ || !jobs_.empty(); });
      --idle_;
      if (!woken) break;  // idle too long
      continue;
    }
    std::function<void()> fn = std::move(jobs_.front());
    jobs_.pop_front();
    lock.Unlock();
    fn();
    fn = nullptr;  // release the connection's captures before going idle
    lock.Lock();
  }
  // A thread cannot join itself: hand the handle to whoever calls JoinExited next.
  exited_.splice(exited_.end(), threads_, self);
  exit_cv_.notify_all();
}

void GrowingThreadPool::JoinExited() {
  if (exited_.empty()) return;
  std::list<std::thread> exited;
  exited.swap(exited_);
  mu_.Unlock();
  for (auto& thread : exited) thread.join();
  mu_.Lock();
}

}  // namespace buildfarm::http_internal
