#include "scheduler/server/coordination_publisher.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

#include "common/git_publisher/secret_redaction.h"
#include "common/json_schema/json_schema.h"
#include "scheduler/store/job_json.h"
#include "scheduler/store/message_json.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

constexpr double kSecondsPerDay = 86400;


}  // namespace

std::string UtcDay(double unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm);
  return buffer;
}

Result<std::unique_ptr<CoordinationPublisher>> CoordinationPublisher::Create(
    const git_publisher::PublishSettings& settings, JobStore& jobs, NodeStore& nodes, MessageStore& messages,
    git_publisher::PublishMetrics& metrics, const Logger& log, Clock clock) {
  std::unique_ptr<CoordinationPublisher> publisher(
      new CoordinationPublisher(settings, jobs, nodes, messages, metrics, log, std::move(clock)));
  auto opened = git_publisher::Publisher::Open(git_publisher::ToPublisherOptions(settings), log, &metrics);
  if (!opened.ok()) return opened.status().WithContext("publish");
  publisher->publisher_ = std::move(opened).value();
  // An archive made just before a restart may not have reached the remote: publish today's and
  // yesterday's files again (days without archived messages are skipped).
  const double now = publisher->clock_();
  MutexLock lock(publisher->mutex_);
  publisher->archive_days_ = {UtcDay(now), UtcDay(now - kSecondsPerDay)};
  return publisher;
}

CoordinationPublisher::~CoordinationPublisher() { Stop(); }

void CoordinationPublisher::NoteArchived(const std::vector<Message>& archived) {
  MutexLock lock(mutex_);
  for (const Message& m : archived) archive_days_.insert(UtcDay(m.archived_at.value_or(clock_())));
}

json CoordinationPublisher::RedactEntries(const std::string& path, const std::string& schema, json list) {
  struct Noted {
    std::string key, entry, field, reason;
  };
  std::vector<Noted> noted;
  json kept = json::array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    json& entry = list[i];
    const auto redactions = git_publisher::RedactLikelySecrets(entry);
    // Readers key entries by id: one whose id held the secret is left out, as is one that no longer
    // meets its schema once redacted.
    const bool keep = redactions.empty() ||
                      (std::none_of(redactions.begin(), redactions.end(),
                                    [](const auto& r) { return r.field.empty() || r.field == "id"; }) &&
                       json_schema::Check(schema, entry).ok());
    // The id is logged only when it is not the secret.
    const std::string id = keep && entry.contains("id") && entry["id"].is_string() ? entry["id"].get<std::string>()
                                                                                  : "#" + std::to_string(i);
    for (const auto& r : redactions) {
      const std::string field = r.field.empty() ? "(entry left out)" : r.field;
      noted.push_back({id + " " + field + " " + r.reason, id, field, r.reason});
    }
    if (keep) kept.push_back(std::move(entry));
  }
  std::vector<const Noted*> fresh;
  {
    MutexLock lock(mutex_);
    std::set<std::string>& before = redacted_[path];
    std::set<std::string> now;
    for (const Noted& n : noted) {
      if (before.count(n.key) == 0) fresh.push_back(&n);
      now.insert(n.key);
    }
    before.swap(now);
  }
  for (const Noted* n : fresh) {
    metrics_.RecordRefusal(n->reason);
    log_.Warn("entry redacted before publishing: it looks like it contains a secret",
              {{"path", path}, {"entry", n->entry}, {"field", n->field}, {"reason", n->reason}});
  }
  return kept;
}

Status CoordinationPublisher::StageChecked(const std::string& path, const std::string& schema, json document,
                                           bool each_item) {
  Status valid = Status::Ok();
  if (each_item) {
    document = RedactEntries(path, schema, std::move(document));
    for (std::size_t i = 0; i < document.size() && valid.ok(); ++i) {
      valid = json_schema::Check(schema, document[i], std::to_string(i) + "/");
    }
  } else {
    valid = json_schema::Check(schema, document);
  }
  if (!valid.ok()) {
    // Readers of the repository rely on the schemas: a document that breaks one stays here.
    metrics_.RecordAttempt("invalid");
    log_.Error("document not published: schema violation", {{"path", path}, {"err", valid.message()}});
    return valid.WithContext(path);
  }
  return publisher_->Stage(path, document.dump(2) + "\n");
}

Status CoordinationPublisher::StageArchives() {
  std::set<std::string> days;
  {
    MutexLock lock(mutex_);
    days.swap(archive_days_);
  }
  Status first_error = Status::Ok();
  for (const std::string& day : days) {
    std::tm tm{};
    if (strptime(day.c_str(), "%Y-%m-%d", &tm) == nullptr) continue;
    const double start = static_cast<double>(timegm(&tm));
    auto archived = messages_.ArchivedBetween(start, start + kSecondsPerDay);
    Status staged = archived.status();
    if (archived.ok() && !archived->empty()) {
      json list = json::array();
      for (const Message& m : *archived) list.push_back(MessageToJson(m));
      staged = StageChecked("coordination/archive/" + day + ".json", "message", std::move(list), true);
    }
    if (!staged.ok()) {
      if (staged.code() != StatusCode::kInvalidArgument && staged.code() != StatusCode::kPermissionDenied) {
        MutexLock lock(mutex_);
        archive_days_.insert(day);  // a store error: try again next round
      }
      if (first_error.ok()) first_error = staged;
    }
  }
  return first_error;
}

void CoordinationPublisher::ArchiveDaily(double now) {
  if (now - last_auto_archive_ < kSecondsPerDay) return;
  last_auto_archive_ = now;
  // A bounded batch per transaction, so the archive never holds the database for long.
  for (bool more = true; more;) {
    auto archived = messages_.Archive(kAutoArchiveDays, now, kMaxMessageListLimit, &more);
    if (!archived.ok()) {
      log_.Warn("daily message archive failed", {{"err", archived.status().ToString()}});
      return;
    }
    if (!archived->empty()) {
      log_.Info("messages archived", {{"count", std::to_string(archived->size())}, {"by", "daily"}});
      if (audit_ != nullptr) {
        auto audited = audit_->AppendAutomatic("archive", "", "messages=" + std::to_string(archived->size()), now);
        if (!audited.ok()) log_.Error("cannot write the audit log", {{"err", audited.status().ToString()}});
      }
    }
    NoteArchived(*archived);
  }
}

Status CoordinationPublisher::PublishOnce() {
  Status first_error = Status::Ok();
  auto keep = [&first_error](const Status& s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  };

  auto jobs = jobs_.RecentAndUnfinished(kPublishedRecentJobs);
  if (jobs.ok()) {
    json list = json::array();
    for (const Job& job : *jobs) list.push_back(JobToJson(job));
    keep(StageChecked("coordination/jobs.json", "job", std::move(list), true));
  } else {
    keep(jobs.status().WithContext("jobs"));
  }
  auto messages = messages_.Active(kPublishedMessages);
  if (messages.ok()) {
    json list = json::array();
    for (const Message& m : *messages) list.push_back(MessageToJson(m));
    keep(StageChecked("coordination/messages.json", "message", std::move(list), true));
  } else {
    keep(messages.status().WithContext("messages"));
  }
  std::set<std::string> names;
  for (const NodeRecord& node : nodes_.List()) names.insert(node.name);
  keep(publisher_->Stage("nodes/index.json", json(names).dump(2) + "\n"));
  keep(StageArchives());

  auto flushed = publisher_->Flush();
  if (!flushed.ok()) return flushed.status();
  if (*flushed == git_publisher::FlushResult::kPushed) log_.Debug("coordination files published", {});
  return first_error;
}

void CoordinationPublisher::Start() {
  task_.Start(std::chrono::duration<double>(settings_.interval_seconds), [this] {
    ArchiveDaily(clock_());
    Status published = PublishOnce();
    if (!published.ok()) log_.Warn("coordination publish failed", {{"err", published.ToString()}});
  });
}

void CoordinationPublisher::Stop() { task_.Stop(); }

}  // namespace buildfarm::scheduler
