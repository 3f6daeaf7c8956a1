#include "agent/job_identity.h"

#include <pwd.h>

#include <limits>
#include <memory>

namespace buildfarm::agent {

Result<std::unique_ptr<JobIdentityPool>> JobIdentityPool::Create(const JobUserPolicy& policy, uid_t agent_uid) {
  std::unique_ptr<JobIdentityPool> pool(new JobIdentityPool());
  if (!policy.run_as.empty() && policy.uid_range) {
    return InvalidArgument("jobs.run_as and jobs.uid_range: set one of them, not both");
  }
  if (agent_uid != 0) {
    if (!policy.run_as.empty()) return InvalidArgument("jobs.run_as: running jobs as another user needs the agent to run as root");
    if (policy.uid_range) return InvalidArgument("jobs.uid_range: running jobs as other uids needs the agent to run as root");
    return pool;
  }
  if (!policy.run_as.empty()) {
    // getpwnam_r: the agent is multi-threaded by the time jobs start; this runs once, at start.
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (getpwnam_r(policy.run_as.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
      return InvalidArgument("jobs.run_as: no such user \"" + policy.run_as + "\"");
    }
    if (found->pw_uid == 0) return InvalidArgument("jobs.run_as: \"" + policy.run_as + "\" is root; name an unprivileged user");
    pool->mode_ = Mode::kNamedUser;
    pool->named_ = {found->pw_uid, found->pw_gid};
    return pool;
  }
  const auto [first, count] = policy.uid_range.value_or(std::pair{kDefaultJobUidFirst, kDefaultJobUidCount});
  constexpr std::int64_t kMaxId = std::numeric_limits<uid_t>::max() - 1;  // (uid_t)-1 means "unchanged"
  if (first <= 0 || count <= 0 || count > 65536 || first + count - 1 > kMaxId) {
    return InvalidArgument("jobs.uid_range: want [first, count] with first > 0, 0 < count <= 65536 and first + count - 1 <= " +
                           std::to_string(kMaxId));
  }
  pool->mode_ = Mode::kUidRange;
  pool->first_ = first;
  pool->count_ = count;
  MutexLock lock(pool->mu_);
  pool->in_use_.assign(static_cast<std::size_t>(count), false);
  return pool;
}

std::string JobIdentityPool::Describe() const {
  switch (mode_) {
    case Mode::kAgentUser:
      return "the agent's own user";
    case Mode::kNamedUser:
      return "uid " + std::to_string(named_.uid) + " gid " + std::to_string(named_.gid);
    case Mode::kUidRange:
      return "uids " + std::to_string(first_) + "-" + std::to_string(first_ + count_ - 1) + " (one per running job)";
  }
  return "";
}

Result<JobIdentityPool::Lease> JobIdentityPool::Acquire() {
  if (mode_ == Mode::kAgentUser) return Lease();
  if (mode_ == Mode::kNamedUser) return Lease(nullptr, named_, -1);
  MutexLock lock(mu_);
  for (std::size_t slot = 0; slot < in_use_.size(); ++slot) {
    if (in_use_[slot]) continue;
    in_use_[slot] = true;
    const auto id = static_cast<uid_t>(first_ + static_cast<std::int64_t>(slot));
    return Lease(this, JobIdentity{id, static_cast<gid_t>(id)}, static_cast<int>(slot));
  }
  return Unavailable("every uid of jobs.uid_range (" + std::to_string(count_) + ") is in use by a running job");
}

void JobIdentityPool::Release(int slot) {
  MutexLock lock(mu_);
  if (slot >= 0 && static_cast<std::size_t>(slot) < in_use_.size()) in_use_[static_cast<std::size_t>(slot)] = false;
}

Result<mode_t> ParseUmask(const std::string& text) {
  const bool octal = !text.empty() && text.size() <= 4 && text.find_first_not_of("01234567") == std::string::npos;
  const long value = octal ? std::stol(text, nullptr, 8) : -1;
  if (!octal || value > 0777) return InvalidArgument("\"" + text + "\" is not an octal umask such as 077 or 0027 (at most 0777)");
  return static_cast<mode_t>(value);
}

}  // namespace buildfarm::agent
