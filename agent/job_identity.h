// Job identities: which uid and gid a job runs as, so that a job cannot read the agent's credentials
// (its token file, /proc/<agent>/environ, the spool) or touch another job's processes and files.
//
// When the agent runs as root, every job drops to an unprivileged identity between fork and exec
// (setgroups(0), setgid, setuid, then PR_SET_NO_NEW_PRIVS):
// - `jobs.uid_range: [first, count]` (the default, [200000, 1000]): each running job takes the lowest
//   free slot and runs as uid = gid = first + slot, so concurrent jobs cannot signal, ptrace or read
//   each other. A job that finds every slot taken fails to start.
// - `jobs.run_as: <user>`: every job runs as that user, with its primary group from the passwd entry.
// When the agent is not root, jobs run as the agent's own user: nothing then keeps a job from the
// agent's credentials, and the agent logs a warning at start. Setting either key without root is an
// error.
//
// JobIdentityPool is thread-safe; the free functions are stateless.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"

namespace buildfarm::agent {

inline constexpr std::int64_t kDefaultJobUidFirst = 200000;
inline constexpr std::int64_t kDefaultJobUidCount = 1000;

// What the configuration asks for (agent/config.h `jobs.run_as`, `jobs.uid_range`).
struct JobUserPolicy {
  std::string run_as;                                         // a user name; empty: not set
  std::optional<std::pair<std::int64_t, std::int64_t>> uid_range;  // first, count
};

// The identity a job switches to before exec.
struct JobIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
};

// Hands out job identities. Without a switch (agent not root) Acquire returns nullopt identities.
class JobIdentityPool {
 public:
  // Errors name the key: a user that does not exist, a range that overflows uid_t, a switch asked for
  // while not root. `agent_uid` is the agent's effective uid (injectable for tests).
  static Result<std::unique_ptr<JobIdentityPool>> Create(const JobUserPolicy& policy, uid_t agent_uid);

  // Whether jobs run as another user than the agent.
  bool switches_user() const { return mode_ != Mode::kAgentUser; }
  // A human description for the start-up log: "uids 200000-200999 (one per running job)".
  std::string Describe() const;

  // A job's identity, given back to the pool (which must outlive it) when the lease is destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(JobIdentityPool* pool, JobIdentity identity, int slot) : pool_(pool), identity_(identity), slot_(slot) {}
    Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), identity_(other.identity_), slot_(other.slot_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(slot_);
    }
    // nullopt: run as the agent's own user.
    const std::optional<JobIdentity>& identity() const { return identity_; }

   private:
    JobIdentityPool* pool_ = nullptr;
    std::optional<JobIdentity> identity_;
    int slot_ = -1;  // uid-range slot, or -1
  };
  // The identity for a new job; an error when every uid of the range is in use.
  Result<Lease> Acquire();

 private:
  enum class Mode { kAgentUser, kNamedUser, kUidRange };
  JobIdentityPool() = default;
  void Release(int slot);

  Mode mode_ = Mode::kAgentUser;
  JobIdentity named_;
  std::int64_t first_ = 0, count_ = 0;
  Mutex mu_;
  std::vector<bool> in_use_ GUARDED_BY(mu_);
};

// "077" / "0027": an octal umask of at most 0777; errors say what is allowed.
Result<mode_t> ParseUmask(const std::string& text);

}  // namespace buildfarm::agent
