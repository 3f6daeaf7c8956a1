#include "agent/agent.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>

#include "common/file_reader.h"
#include "agent/runner.h"

namespace buildfarm::agent {

struct Agent::Job {
  Assignment assignment;
  std::atomic<bool> superseded{false};
  std::string log_path;
  std::uint64_t log_offset = 0;  // bytes the scheduler has accepted; job thread only
  bool log_failing = false;      // in a streak of failed calls; job thread only
  bool log_truncated = false;    // the scheduler keeps no more of this attempt's log; job thread only
};

namespace {

using Clock = std::chrono::steady_clock;

// While the scheduler is unreachable only the first failure of a streak is a warning; the retries
// log at debug. Marks the streak as started.
LogLevel Level(bool& failing) {
  LogLevel level = failing ? LogLevel::kDebug : LogLevel::kWarn;
  failing = true;
  return level;
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", s);
  return text;
}

}  // namespace

double Backoff::Next() {
  thread_local std::mt19937 random{std::random_device{}()};
  double delay = std::uniform_real_distribution<double>(base_ / 2, base_)(random);
  base_ = std::min(max_, base_ * 2);
  return delay;
}

std::string AttemptDirName(const AttemptRef& ref) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < ref.job_id.size(); ++i) {
    const auto c = static_cast<unsigned char>(ref.job_id[i]);
    const bool plain = std::isalnum(c) || c == '-' || (c == '.' && i > 0);
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out += '_';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  // Long ids keep a readable prefix and a hash; "_h" never appears in an escaped name ('_' is always
  // followed by two hex digits there), so the two forms cannot collide.
  constexpr std::size_t kMaxName = 150;
  if (out.size() > kMaxName || out.empty()) {
    std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
    for (unsigned char c : ref.job_id) hash = (hash ^ c) * 1099511628211ULL;
    std::string digest;
    for (int shift = 60; shift >= 0; shift -= 4) digest += kHex[(hash >> shift) & 15];
    out = out.substr(0, 64) + "_h" + digest;
  }
  return out + "-" + std::to_string(ref.attempt);
}

Agent::Agent(AgentOptions options, const Logger& log) : options_(std::move(options)), log_(log) {}

Agent::~Agent() { Stop(); }

std::string Agent::SpoolPath() const { return JoinPath(options_.workspace, "results-spool.json"); }

Result<std::unique_ptr<SchedulerClient>> Agent::MakeClient(double read_timeout_seconds) {
  return SchedulerClient::Create(options_.scheduler_url, options_.token, options_.node.name, 3, read_timeout_seconds,
                                 options_.scheduler_tls);
}

Status Agent::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.workspace, ec);
  if (ec) return IoError("workspace " + options_.workspace + ": " + ec.message());
  auto spool = ResultSpool::Open(SpoolPath());
  if (!spool.ok()) {
    std::string aside = SpoolPath() + ".corrupt-" + std::to_string(std::time(nullptr));
    log_.Error("result spool unreadable; moved aside", {{"err", spool.status().ToString()}, {"path", aside}});
    std::filesystem::rename(SpoolPath(), aside, ec);
    spool = ResultSpool::Open(SpoolPath());
    if (!spool.ok()) return spool.status();
  }
  spool_ = std::move(spool).value();
  auto poll_client = MakeClient(options_.poll_wait_seconds + 15);
  if (!poll_client.ok()) return poll_client.status();
  poll_client_ = std::move(poll_client).value();
  BUILDFARM_RETURN_IF_ERROR(PrepareJobIsolation());
  {
    MutexLock lock(mu_);
    delivery_pending_ = !spool_->List().empty();
  }
  retention_task_.Start(std::chrono::duration<double>(SweepIntervalSeconds(options_.retention)), [this] { SweepRetention(); });
  control_thread_ = std::thread([this] { ControlLoop(); });
  poll_thread_ = std::thread([this] { PollLoop(); });
  delivery_thread_ = std::thread([this] { DeliveryLoop(); });
  return Status::Ok();
}

void Agent::Stop() {
  if (stopping_.exchange(true)) return;
  {
    MutexLock lock(mu_);
  }
  wake_.notify_all();
  // A long poll in flight is cut short; Abort() again until the poll thread notices.
  while (poll_thread_.joinable() && !poll_done_) {
    poll_client_->Abort();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto* thread : {&control_thread_, &poll_thread_, &delivery_thread_}) {
    if (thread->joinable()) thread->join();
  }
  ReapJobThreads(true);
  retention_task_.Stop();
  if (!cgroup_root_.empty()) rmdir(cgroup_root_.c_str());  // empty once every job is gone; a busy one stays
  registered_ = false;
  heartbeat_ok_ = false;
}

Status Agent::PrepareJobIsolation() {
  const bool switching = options_.job_identities && options_.job_identities->switches_user();
  if (switching) {
    // Jobs may pass through to their own workspace, but not list the others' or read the spool.
    std::error_code ec;
    std::filesystem::permissions(options_.workspace, std::filesystem::perms(0711), ec);
    if (ec) return IoError("workspace " + options_.workspace + ": " + ec.message());
    log_.Info("jobs run as unprivileged users", {{"identity", options_.job_identities->Describe()}});
  } else {
    log_.Warn("jobs run as the agent's own user: they can read the agent's token and other credentials; "
              "run the agent as root to give each job its own uid",
              {{"uid", std::to_string(geteuid())}});
  }
  auto root = SetUpJobCgroups(options_.cgroup_mode, options_.cgroup_root, options_.workspace, log_,
                              options_.mounts_path, options_.proc_cgroup_path);
  if (!root.ok()) return root.status();
  cgroup_root_ = *root;
  return Status::Ok();
}

void Agent::SweepRetention() {
  std::set<std::string> running;
  {
    MutexLock lock(mu_);
    for (const auto& [ref, job] : jobs_) running.insert(AttemptDirName(ref));
  }
  SweepCounts counts = SweepWorkspaces(options_.workspace, options_.retention, running);
  if (counts.workspaces > 0 || counts.logs > 0) {
    log_.Info("retention: deleted finished jobs' files",
              {{"workspaces", std::to_string(counts.workspaces)}, {"logs", std::to_string(counts.logs)}});
  }
}

bool Agent::SleepUnlessStopping(double seconds) {
  MutexLock lock(mu_);
  lock.WaitFor(wake_, std::chrono::duration<double>(seconds), [this] { return stopping_.load(); });
  return !stopping_;
}

std::vector<AttemptRef> Agent::RunningAttempts() const {
  MutexLock lock(mu_);
  std::vector<AttemptRef> out;
  for (const auto& [ref, job] : jobs_) out.push_back(ref);
  return out;
}

std::vector<AttemptRef> Agent::OwnedAttempts() const {
  std::vector<AttemptRef> out = RunningAttempts();
  if (spool_) {
    for (const auto& r : spool_->List()) {
      AttemptRef ref{r.job_id, r.attempt};
      if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(ref);
    }
  }
  return out;
}

void Agent::ControlLoop() {
  auto client = MakeClient();
  if (!client.ok()) return;  // Start() already checked the URL
  Backoff backoff(options_.backoff_initial_seconds, options_.backoff_max_seconds);
  bool failing = false;  // the first failure of a streak is a warning, the rest debug
  while (!stopping_) {
    if (!registered_) {
      auto reply = (*client)->Register(options_.node);
      if (!reply.ok()) {
        heartbeat_ok_ = false;
        log_.Log(Level(failing), "register failed; retrying", {{"err", reply.status().ToString()}});
        SleepUnlessStopping(backoff.Next());
        continue;
      }
      registered_ = true;
      failing = false;
      backoff.Reset();
      log_.Info("registered", {{"node", options_.node.name}, {"scheduler", options_.scheduler_url}});
      wake_.notify_all();
    }
    std::vector<AttemptRef> superseded;
    auto reply = (*client)->Heartbeat(OwnedAttempts(), &superseded);
    if (!reply.ok()) {
      heartbeat_ok_ = false;
      log_.Log(Level(failing), "heartbeat failed; retrying", {{"err", reply.status().ToString()}});
      SleepUnlessStopping(backoff.Next());
      continue;
    }
    if (*reply == Reply::kNotFound) {
      log_.Warn("scheduler does not know this node; registering again", {{"node", options_.node.name}});
      registered_ = false;
      heartbeat_ok_ = false;
      continue;
    }
    heartbeat_ok_ = true;
    failing = false;
    backoff.Reset();
    if (!superseded.empty()) KillSuperseded(superseded);
    SleepUnlessStopping(options_.heartbeat_seconds);
  }
}

void Agent::KillSuperseded(const std::vector<AttemptRef>& superseded) {
  for (const auto& ref : superseded) {
    {
      MutexLock lock(mu_);
      auto it = jobs_.find(ref);
      if (it != jobs_.end() && !it->second->superseded.exchange(true)) {
        log_.Info("attempt superseded; killing it", {{"job", ref.job_id}, {"attempt", std::to_string(ref.attempt)}});
      }
    }
    if (spool_->Contains(ref.job_id, ref.attempt)) {
      log_.Info("attempt superseded; dropping its result", {{"job", ref.job_id}, {"attempt", std::to_string(ref.attempt)}});
      Status removed = spool_->Remove(ref.job_id, ref.attempt);
      if (!removed.ok()) log_.Error("result spool write failed", {{"err", removed.ToString()}});
    }
  }
}

void Agent::PollLoop() {
  Backoff backoff(options_.backoff_initial_seconds, options_.backoff_max_seconds);
  bool failing = false;
  while (!stopping_) {
    ReapJobThreads(false);
    if (!registered_) {
      MutexLock lock(mu_);
      lock.WaitFor(wake_, std::chrono::milliseconds(200), [this] { return stopping_ || registered_; });
      continue;
    }
    auto assignments = poll_client_->PollAssignments(options_.poll_wait_seconds);
    if (stopping_) break;
    if (!assignments.ok()) {
      log_.Log(Level(failing), "polling for assignments failed; retrying", {{"err", assignments.status().ToString()}});
      SleepUnlessStopping(backoff.Next());
      continue;
    }
    failing = false;
    bool started = false;
    for (const auto& assignment : *assignments) started = StartJob(assignment) || started;
    // Offers of attempts already running, finished or refused come back at once: wait before asking
    // again rather than spin.
    if (started || assignments->empty()) {
      backoff.Reset();
    } else {
      SleepUnlessStopping(backoff.Next());
    }
  }
  poll_done_ = true;
}

bool Agent::StartJob(const Assignment& assignment) {
  if (spool_->Contains(assignment.ref.job_id, assignment.ref.attempt)) return false;  // finished already
  MutexLock lock(mu_);
  if (stopping_ || jobs_.count(assignment.ref) || refused_.count(assignment.ref)) return false;
  auto job = std::make_shared<Job>();
  job->assignment = assignment;
  jobs_[assignment.ref] = job;
  // Inserted under the lock, so the thread's own clean-up (which takes it) finds its entry.
  job_threads_[assignment.ref] = std::thread([this, job] { RunJob(job); });
  return true;
}

void Agent::ReapJobThreads(bool all) {
  std::vector<std::thread> to_join;
  {
    MutexLock lock(mu_);
    to_join.swap(finished_threads_);
    if (all) {
      for (auto& [ref, thread] : job_threads_) to_join.push_back(std::move(thread));
      job_threads_.clear();
    }
  }
  for (auto& thread : to_join) {
    if (thread.joinable()) thread.join();
  }
}

bool Agent::ShipLog(SchedulerClient& client, Job& job, bool until_end) {
  if (job.log_truncated) return true;  // the scheduler cut this attempt's log: sending more is waste
  int fd = open(job.log_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;  // nothing written yet
  std::string chunk(options_.log_chunk_bytes, '\0');
  bool ok = true;
  for (int sent = 0; until_end || sent < 4; ++sent) {
    ssize_t n = pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(job.log_offset));
    if (n <= 0) break;
    bool truncated = false;
    auto reply = client.SendLog(job.assignment.ref, chunk.substr(0, static_cast<std::size_t>(n)), &truncated);
    if (!reply.ok()) {
      log_.Log(Level(job.log_failing), "log upload failed; will retry",
               {{"job", job.assignment.ref.job_id}, {"err", reply.status().ToString()}});
      ok = false;
      break;
    }
    if (*reply != Reply::kAccepted) {
      job.superseded = true;  // 409: the attempt no longer belongs to this agent
      break;
    }
    job.log_offset += static_cast<std::uint64_t>(n);
    job.log_failing = false;
    if (truncated) {
      job.log_truncated = true;
      log_.Info("the scheduler truncated the log; sending no more of it",
                {{"job", job.assignment.ref.job_id}, {"attempt", std::to_string(job.assignment.ref.attempt)}});
      break;
    }
  }
  close(fd);
  return ok;
}

void Agent::RunJob(const std::shared_ptr<Job>& job) {
  const AttemptRef ref = job->assignment.ref;
  const std::string attempt_text = std::to_string(ref.attempt);
  auto finish = [&] {
    MutexLock lock(mu_);
    jobs_.erase(ref);
    auto it = job_threads_.find(ref);
    if (it != job_threads_.end()) {
      finished_threads_.push_back(std::move(it->second));
      job_threads_.erase(it);
    }
    delivery_pending_ = true;
    wake_.notify_all();
  };
  auto client_or = MakeClient();
  if (!client_or.ok()) return finish();
  SchedulerClient& client = **client_or;
  Backoff backoff(options_.backoff_initial_seconds, options_.backoff_max_seconds);
  for (;;) {
    if (stopping_ || job->superseded) return finish();
    auto reply = client.StartAttempt(ref);
    if (reply.ok() && *reply == Reply::kAccepted) {
      job->log_failing = false;
      break;
    }
    if (reply.ok() && *reply == Reply::kConflict) {
      log_.Info("attempt dropped: superseded before it started", {{"job", ref.job_id}, {"attempt", attempt_text}});
      return finish();
    }
    if (reply.ok()) {
      // A refusal retrying cannot change (the job is unknown or its id unusable): the attempt is
      // reported failed, and never started again, so the scheduler stops offering it.
      const std::string why = "the scheduler refused to start the attempt: " + client.LastRefusal();
      log_.Warn("attempt refused; reporting it failed", {{"job", ref.job_id}, {"attempt", attempt_text}, {"err", why}});
      {
        MutexLock lock(mu_);
        if (refused_.size() >= kMaxRefused) refused_.clear();
        refused_.insert(ref);
      }
      Status spooled = spool_->Add({ref.job_id, ref.attempt, -1, 0, why});
      if (!spooled.ok()) log_.Error("result spool write failed; result kept in memory", {{"err", spooled.ToString()}});
      return finish();
    }
    log_.Log(Level(job->log_failing), "start failed; retrying", {{"job", ref.job_id}, {"err", reply.status().ToString()}});
    if (!SleepUnlessStopping(backoff.Next())) return finish();
  }

  const Assignment& a = job->assignment;
  std::string name = AttemptDirName(ref);
  job->log_path = JoinPath(options_.workspace, name + ".log");
  unlink(job->log_path.c_str());
  RunSpec spec;
  spec.command = a.command;
  spec.work_dir = JoinPath(options_.workspace, name);
  spec.log_path = job->log_path;
  spec.env = {{"BUILDFARM_JOB_ID", ref.job_id},   {"BUILDFARM_ATTEMPT", attempt_text},
              {"BUILDFARM_BRANCH", a.branch},     {"BUILDFARM_COMMIT", a.commit},
              {"BUILDFARM_NODE", options_.node.name}, {"BUILDFARM_WORKSPACE", spec.work_dir}};
  spec.unset_env = {"BUILDFARM_AGENT_TOKEN"};
  spec.timeout_seconds = a.timeout_seconds;
  spec.kill_grace_seconds = options_.kill_grace_seconds;
  spec.umask = options_.job_umask;
  if (!cgroup_root_.empty()) spec.cgroup_dir = cgroup_root_ + "/" + name;
  // Declared before the process, so the uid goes back to the pool only once the job is gone.
  Result<JobIdentityPool::Lease> lease = options_.job_identities ? options_.job_identities->Acquire() : JobIdentityPool::Lease();
  if (lease.ok()) spec.identity = lease->identity();
  JobProcess process(spec);
  RunOutcome outcome;
  Status started = lease.ok() ? process.Start() : lease.status();
  if (!started.ok()) {
    outcome.exit_code = -1;
    outcome.error = "cannot start: " + started.message();
  } else {
    log_.Info("job started", {{"job", ref.job_id}, {"attempt", attempt_text}, {"dir", spec.work_dir}});
    auto last_flush = Clock::now();
    bool kill_asked = false;
    for (;;) {
      if (!kill_asked && (stopping_ || job->superseded)) {
        process.Kill();
        kill_asked = true;
      }
      if (auto done = process.Poll()) {
        outcome = *done;
        break;
      }
      if (!stopping_ && std::chrono::duration<double>(Clock::now() - last_flush).count() >= options_.log_flush_seconds) {
        ShipLog(client, *job, false);
        last_flush = Clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  if (stopping_ || job->superseded) {
    log_.Info("job killed, not reported", {{"job", ref.job_id}, {"attempt", attempt_text},
                                           {"reason", job->superseded ? "superseded" : "agent stopping"}});
    return finish();
  }
  log_.Info("job finished", {{"job", ref.job_id}, {"attempt", attempt_text}, {"exit_code", std::to_string(outcome.exit_code)},
                             {"duration_seconds", Seconds(outcome.duration_seconds)}, {"error", outcome.error}});
  Status spooled = spool_->Add({ref.job_id, ref.attempt, outcome.exit_code, outcome.duration_seconds, outcome.error});
  if (!spooled.ok()) log_.Error("result spool write failed; result kept in memory", {{"err", spooled.ToString()}});
  // The rest of the log goes before the result, which makes the attempt terminal.
  backoff.Reset();
  while (!stopping_ && !job->superseded && !ShipLog(client, *job, true)) {
    if (!SleepUnlessStopping(backoff.Next())) break;
  }
  if (!stopping_) RemoveAttemptFiles(options_.workspace, name, options_.retention);  // retention 0
  finish();
}

void Agent::DeliveryLoop() {
  auto client = MakeClient();
  if (!client.ok()) return;
  Backoff backoff(options_.backoff_initial_seconds, options_.backoff_max_seconds);
  bool failing = false;
  while (!stopping_) {
    {
      MutexLock lock(mu_);
      lock.WaitFor(wake_, std::chrono::seconds(1), [this]() REQUIRES(mu_) { return stopping_ || delivery_pending_; });
      delivery_pending_ = false;
    }
    if (stopping_) break;
    bool failed = false;
    for (const auto& r : spool_->List()) {
      AttemptRef ref{r.job_id, r.attempt};
      {
        MutexLock lock(mu_);
        if (jobs_.count(ref)) continue;  // its job thread is still sending the log
      }
      auto reply = (*client)->SendResult(ref, r.exit_code, r.duration_seconds, r.error);
      if (!reply.ok()) {
        log_.Log(Level(failing), "result delivery failed; will retry", {{"job", r.job_id}, {"err", reply.status().ToString()}});
        failed = true;
        break;
      }
      failing = false;
      log_.Info(*reply == Reply::kAccepted ? "result delivered" : "result dropped: superseded, already reported or refused",
                {{"job", r.job_id}, {"attempt", std::to_string(r.attempt)}});
      Status removed = spool_->Remove(r.job_id, r.attempt);
      if (!removed.ok()) log_.Error("result spool write failed", {{"err", removed.ToString()}});
    }
    if (failed) {
      SleepUnlessStopping(backoff.Next());
    } else {
      backoff.Reset();
    }
  }
}

}  // namespace buildfarm::agent
