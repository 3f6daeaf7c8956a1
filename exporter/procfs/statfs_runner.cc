#include "exporter/procfs/statfs_runner.h"

#include <pthread.h>
#include <signal.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "common/mutex.h"

namespace buildfarm::exporter {

Result<StatfsValues> SystemStatfs(const std::string& path) {
  struct statfs buf {};
  if (::statfs(path.c_str(), &buf) != 0) {
    return IoError("statfs " + path + ": " + std::error_code(errno, std::generic_category()).message());
  }
  StatfsValues values;
  values.blocks = buf.f_blocks;
  values.blocks_free = buf.f_bfree;
  values.blocks_avail = buf.f_bavail;
  values.block_size = static_cast<std::uint64_t>(buf.f_bsize);
  values.files = buf.f_files;
  values.files_free = buf.f_ffree;
  return values;
}

namespace {

// One scrape's wait: woken once, when its last call completes.
struct Batch {
  std::size_t remaining = 0;
  std::condition_variable cv;
};

// One statfs call, shared by every scrape that asks for its path while it runs.
struct Call {
  explicit Call(std::string p) : path(std::move(p)) {}
  std::string path;
  bool started = false;
  bool done = false;
  bool overdue = false;  // was still running at a scrape's deadline: its worker counts as stuck
  std::optional<Result<StatfsValues>> result;
  std::vector<std::shared_ptr<Batch>> waiters;
};

}  // namespace

struct StatfsRunner::State {
  StatFunction stat;
  StatfsRunnerOptions options;

  // Also guards every Call's and Batch's fields (they are reached only through this state).
  Mutex mu;
  std::condition_variable work_cv;  // idle workers wait here for calls
  std::condition_variable exit_cv;  // the destructor waits here for idle workers to leave
  std::deque<std::shared_ptr<Call>> queue GUARDED_BY(mu);
  std::unordered_map<std::string, std::shared_ptr<Call>> in_flight GUARDED_BY(mu);  // queued or running, by path
  int threads GUARDED_BY(mu) = 0;        // alive
  int idle GUARDED_BY(mu) = 0;           // waiting on work_cv
  int signaled GUARDED_BY(mu) = 0;       // idle workers notified but not yet awake
  int stuck_threads GUARDED_BY(mu) = 0;  // alive but blocked in an overdue call
  bool stopping GUARDED_BY(mu) = false;
};

namespace {

using State = StatfsRunner::State;

// A batch whose calls have not all returned after this long wakes one more idle worker, so that a
// call blocking the draining worker leaves the rest of the queue to another. Normal batches are
// drained by the single worker woken for them: one handoff there and one back per scrape.
constexpr auto kEscalateAfter = std::chrono::milliseconds(3);

// Wakes one more idle worker while calls are queued and none is on its way.
void WakeWorkerIfNeeded(State& state) REQUIRES(state.mu) {
  if (!state.queue.empty() && state.idle > state.signaled) {
    ++state.signaled;
    state.work_cv.notify_one();
  }
}

void WorkerLoop(const std::shared_ptr<State>& state) {
  MutexLock lock(state->mu);
  while (true) {
    if (!state->stopping && state->queue.empty()) {
      ++state->idle;
      lock.Wait(state->work_cv, [&]() REQUIRES(state->mu) { return state->stopping || !state->queue.empty(); });
      --state->idle;
      if (state->signaled > 0) --state->signaled;
    }
    if (state->stopping) break;
    std::shared_ptr<Call> call = std::move(state->queue.front());
    state->queue.pop_front();
    call->started = true;

    lock.Unlock();
    Result<StatfsValues> result = state->stat(call->path);
    lock.Lock();

    call->result = std::move(result);
    call->done = true;
    auto it = state->in_flight.find(call->path);
    if (it != state->in_flight.end() && it->second == call) state->in_flight.erase(it);
    std::vector<std::shared_ptr<Batch>> finished = std::move(call->waiters);
    call->waiters.clear();
    std::erase_if(finished, [](const std::shared_ptr<Batch>& batch) { return --batch->remaining != 0; });
    if (!finished.empty()) {
      // Notify without the lock held, so the woken scrape thread does not block on it at once.
      lock.Unlock();
      for (const auto& batch : finished) batch->cv.notify_one();
      lock.Lock();
    }
    if (call->overdue) {
      --state->stuck_threads;
      // A replacement took this worker's place while it was stuck; keep the pool at its size.
      if (state->threads - state->stuck_threads > state->options.workers) break;
    }
  }
  --state->threads;
  state->exit_cv.notify_all();
}

// Starts workers until `workers` of them are not stuck, without exceeding max_threads. Workers
// block every signal, so that process signals reach only the threads that wait for them.
void EnsureWorkers(const std::shared_ptr<State>& state) REQUIRES(state->mu) {
  while (state->threads - state->stuck_threads < state->options.workers &&
         state->threads < state->options.max_threads) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    bool started = true;
    try {
      std::thread(WorkerLoop, state).detach();
    } catch (const std::system_error&) {
      started = false;  // out of threads: the calls wait in the queue and time out like stuck ones
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (!started) return;
    ++state->threads;
  }
}

}  // namespace

StatfsRunner::StatfsRunner(StatFunction stat, StatfsRunnerOptions options) : state_(std::make_shared<State>()) {
  if (options.workers < 1) options.workers = 1;
  if (options.max_threads < options.workers) options.max_threads = options.workers;
  state_->stat = std::move(stat);
  state_->options = options;
}

StatfsRunner::~StatfsRunner() {
  MutexLock lock(state_->mu);
  state_->stopping = true;
  state_->work_cv.notify_all();
  // Idle workers leave at once; stuck ones leave whenever their call returns, holding the state.
  lock.WaitFor(state_->exit_cv, std::chrono::seconds(1),
               [&]() REQUIRES(state_->mu) { return state_->threads - state_->stuck_threads <= 0; });
}

int StatfsRunner::ThreadCount() const {
  MutexLock lock(state_->mu);
  return state_->threads;
}

std::vector<StatfsRunner::Answer> StatfsRunner::StatAll(const std::vector<std::string>& paths) {
  const auto deadline = std::chrono::steady_clock::now() + state_->options.timeout;
  std::vector<Answer> answers(paths.size());
  std::vector<std::shared_ptr<Call>> calls(paths.size());
  auto batch = std::make_shared<Batch>();

  MutexLock lock(state_->mu);
  EnsureWorkers(state_);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto it = state_->in_flight.find(paths[i]);
    if (it != state_->in_flight.end()) {
      if (it->second->overdue) {
        answers[i].outcome = Outcome::kStuck;
        continue;
      }
      calls[i] = it->second;  // queued or running for another scrape (or earlier in this batch)
    } else {
      calls[i] = std::make_shared<Call>(paths[i]);
      state_->in_flight.emplace(paths[i], calls[i]);
      state_->queue.push_back(calls[i]);
    }
    calls[i]->waiters.push_back(batch);
    ++batch->remaining;
  }
  WakeWorkerIfNeeded(*state_);
  const auto all_returned = [&] { return batch->remaining == 0; };
  while (!all_returned()) {
    const auto slice_end = std::min(deadline, std::chrono::steady_clock::now() + kEscalateAfter);
    if (lock.WaitUntil(batch->cv, slice_end, all_returned)) break;
    if (std::chrono::steady_clock::now() >= deadline) break;
    WakeWorkerIfNeeded(*state_);  // slow progress: a call may be blocking the worker that drains the queue
  }

  bool marked_stuck = false;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    Call* call = calls[i].get();
    if (call == nullptr) continue;
    if (!call->done) {
      answers[i].outcome = Outcome::kTimedOut;
      answers[i].error = "statfs did not return within the mount timeout";
      std::erase(call->waiters, batch);
      if (call->started && !call->overdue) {
        call->overdue = true;
        ++state_->stuck_threads;
        marked_stuck = true;
      }
    } else if (call->result->ok()) {
      answers[i].outcome = Outcome::kOk;
      answers[i].values = call->result->value();
    } else {
      answers[i].outcome = Outcome::kFailed;
      answers[i].error = call->result->status().message();
    }
  }
  if (marked_stuck) {
    EnsureWorkers(state_);
    WakeWorkerIfNeeded(*state_);  // a fresh worker takes over what was queued behind the stuck one
  }
  return answers;
}

}  // namespace buildfarm::exporter
