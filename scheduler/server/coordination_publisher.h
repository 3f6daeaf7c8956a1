// CoordinationPublisher: the scheduler's side of the shared git repository (issue 5), on its own
// background thread so no request waits for the network. Every interval it writes
//
//   coordination/jobs.json       every unfinished job plus the latest 500, each a job.schema.json document
//   coordination/messages.json   the active (not archived) messages, newest 1000, message.schema.json each
//   nodes/index.json             the registered node names, sorted (the web page's GitHub Pages mode)
//
// and, for each UTC day on which messages were archived (NoteArchived, called by the archive route, or
// the automatic archive this thread runs once a day with the API's default of 30 days),
// coordination/archive/<YYYY-MM-DD>.json: every message archived that day, read back from the store's
// archive table, so the file grows as the day's archives append to it and survives a restart.
//
// Each document is checked against its schema before it is staged; one that fails is logged, counted
// as buildfarm_publish_attempts_total{result="invalid"} and not published. The git publisher's own
// secret guard refuses any document holding a likely secret, so before that each entry of a list
// (a job, a message) is redacted on its own (git_publisher/secret_redaction.h): the field that holds
// a likely secret becomes "[redacted: <reason>]" and the rest of the file is published. An entry whose
// id holds the secret, or that no longer meets its schema once redacted, is left out. Each
// redaction is logged (path, entry id, field, reason; never the secret) and counted in
// buildfarm_publish_refused_total{reason} once, when it first appears, not on every round.
//
// Thread safety: NoteArchived and PublishOnce may be called from any thread; Start/Stop from the owner.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/git_publisher/publish_metrics.h"
#include "common/git_publisher/publish_settings.h"
#include "common/git_publisher/publisher.h"
#include "common/log.h"
#include "common/periodic_task.h"
#include "common/status.h"
#include "scheduler/store/audit_store.h"
#include "scheduler/store/job_store.h"
#include "scheduler/store/message_store.h"
#include "scheduler/store/node_store.h"

namespace buildfarm::scheduler {

inline constexpr int kPublishedRecentJobs = 500;
inline constexpr int kPublishedMessages = 1000;
inline constexpr double kAutoArchiveDays = 30;

// "2026-11-27" for a unix time, in UTC.
std::string UtcDay(double unix_seconds);

class CoordinationPublisher {
 public:
  using Clock = std::function<double()>;

  static Result<std::unique_ptr<CoordinationPublisher>> Create(const git_publisher::PublishSettings& settings,
                                                               JobStore& jobs, NodeStore& nodes,
                                                               MessageStore& messages,
                                                               git_publisher::PublishMetrics& metrics,
                                                               const Logger& log, Clock clock);
  ~CoordinationPublisher();

  // Marks the days of these archived messages for (re)publishing on the next round.
  void NoteArchived(const std::vector<Message>& archived);
  // One round: build, validate, stage and flush. OK when the remote holds everything staged.
  Status PublishOnce();
  void Start();
  // Before Start(): where the daily archive is audited (null: nowhere).
  void SetAudit(AuditStore* audit) { audit_ = audit; }
  void Stop();

 private:
  CoordinationPublisher(const git_publisher::PublishSettings& settings, JobStore& jobs, NodeStore& nodes,
                        MessageStore& messages, git_publisher::PublishMetrics& metrics, const Logger& log, Clock clock)
      : settings_(settings), jobs_(jobs), nodes_(nodes), messages_(messages), metrics_(metrics), log_(log),
        clock_(std::move(clock)) {}
  Status StageChecked(const std::string& path, const std::string& schema, nlohmann::json document,
                      bool each_item);
  nlohmann::json RedactEntries(const std::string& path, const std::string& schema, nlohmann::json list);
  Status StageArchives();
  void ArchiveDaily(double now);

  const git_publisher::PublishSettings settings_;
  JobStore& jobs_;
  NodeStore& nodes_;
  MessageStore& messages_;
  git_publisher::PublishMetrics& metrics_;
  const Logger& log_;
  AuditStore* audit_ = nullptr;
  const Clock clock_;
  std::unique_ptr<git_publisher::Publisher> publisher_;

  Mutex mutex_;
  std::set<std::string> archive_days_ GUARDED_BY(mutex_);  // days to (re)publish
  double last_auto_archive_ = 0;  // only the publishing rounds' thread reads and writes it
  std::map<std::string, std::set<std::string>> redacted_ GUARDED_BY(mutex_);  // path -> "entry field reason" redacted last round
  PeriodicTask task_;  // last: stopped before the members its rounds use are destroyed
};

}  // namespace buildfarm::scheduler
