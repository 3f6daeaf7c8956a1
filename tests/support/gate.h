// Gate: lets a test hold requests inside a server handler. Handlers call Enter() and block until the
// test calls Release(); WaitEntered(n) waits until n handlers are inside. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace buildfarm::testing {

class Gate {
 public:
  void Enter() {
    entered_.fetch_add(1);
    released_future_.wait();
  }
  // True once `count` handlers have entered; false after 30 s.
  bool WaitEntered(int count) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (entered_.load() < count && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return entered_.load() >= count;
  }
  void Release() { released_.set_value(); }

 private:
  std::atomic<int> entered_{0};
  std::promise<void> released_;
  std::shared_future<void> released_future_ = released_.get_future().share();
};

}  // namespace buildfarm::testing
