#include "exporter/collectors/statfs_runner.h"

#include <pthread.h>
#include <signal.h>
#include <sys/statfs.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>

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

// One statfs call, shared by every scrape that asks for its path while it runs.
struct Call {
  explicit Call(std::string p) : path(std::move(p)) {}
  std::string path;
  bool started = false;
  bool done = false;
  bool overdue = false;  // was still running at a scrape's deadline: its worker counts as stuck
  std::optional<Result<StatfsValues>> result;
};

}  // namespace

struct StatfsRunner::State {
  StatFunction stat;
  StatfsRunnerOptions options;

  std::mutex mu;
  std::condition_variable work_cv;  // workers wait here for calls
  std::condition_variable done_cv;  // scrapes (and the destructor) wait here for answers
  std::deque<std::shared_ptr<Call>> queue;
  std::unordered_map<std::string, std::shared_ptr<Call>> in_flight;  // queued or running, by path
  int threads = 0;        // alive
  int stuck_threads = 0;  // alive but blocked in an overdue call
  bool stopping = false;
};

namespace {

using State = StatfsRunner::State;

void WorkerLoop(const std::shared_ptr<State>& state) {
  std::unique_lock lock(state->mu);
  while (true) {
    state->work_cv.wait(lock, [&] { return state->stopping || !state->queue.empty(); });
    if (state->stopping) break;
    std::shared_ptr<Call> call = std::move(state->queue.front());
    state->queue.pop_front();
    call->started = true;

    lock.unlock();
    Result<StatfsValues> result = state->stat(call->path);
    lock.lock();

    call->result = std::move(result);
    call->done = true;
    auto it = state->in_flight.find(call->path);
    if (it != state->in_flight.end() && it->second == call) state->in_flight.erase(it);
    state->done_cv.notify_all();
    if (call->overdue) {
      --state->stuck_threads;
      // A replacement took this worker's place while it was stuck; keep the pool at its size.
      if (state->threads - state->stuck_threads > state->options.workers) break;
    }
  }
  --state->threads;
  state->done_cv.notify_all();
}

// Starts workers until `workers` of them are not stuck, without exceeding max_threads. Workers
// block every signal, so that process signals reach only the threads that wait for them.
void EnsureWorkers(const std::shared_ptr<State>& state) {
  while (state->threads - state->stuck_threads < state->options.workers &&
         state->threads < state->options.max_threads) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    std::thread(WorkerLoop, state).detach();
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
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
  std::unique_lock lock(state_->mu);
  state_->stopping = true;
  state_->work_cv.notify_all();
  // Idle workers leave at once; stuck ones leave whenever their call returns, holding the state.
  state_->done_cv.wait_for(lock, std::chrono::seconds(1),
                           [&] { return state_->threads - state_->stuck_threads <= 0; });
}

int StatfsRunner::ThreadCount() const {
  std::lock_guard lock(state_->mu);
  return state_->threads;
}

std::vector<StatfsRunner::Answer> StatfsRunner::StatAll(const std::vector<std::string>& paths) {
  const auto deadline = std::chrono::steady_clock::now() + state_->options.timeout;
  std::vector<Answer> answers(paths.size());
  std::vector<std::shared_ptr<Call>> calls(paths.size());

  std::unique_lock lock(state_->mu);
  EnsureWorkers(state_);
  bool queued = false;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto it = state_->in_flight.find(paths[i]);
    if (it != state_->in_flight.end()) {
      if (it->second->overdue) {
        answers[i].outcome = Outcome::kStuck;
      } else {
        calls[i] = it->second;
      }
      continue;
    }
    auto call = std::make_shared<Call>(paths[i]);
    state_->in_flight.emplace(paths[i], call);
    state_->queue.push_back(call);
    calls[i] = std::move(call);
    queued = true;
  }
  if (queued) state_->work_cv.notify_all();

  std::size_t first_pending = 0;
  state_->done_cv.wait_until(lock, deadline, [&] {
    while (first_pending < calls.size() && (!calls[first_pending] || calls[first_pending]->done)) ++first_pending;
    return first_pending == calls.size();
  });

  bool marked_stuck = false;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& call = calls[i];
    if (!call) continue;
    if (!call->done) {
      answers[i].outcome = Outcome::kTimedOut;
      answers[i].error = "statfs did not return within the mount timeout";
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
  if (marked_stuck) EnsureWorkers(state_);
  return answers;
}

}  // namespace buildfarm::exporter
