// JobStore's logs and retention on a real SQLite file: the per-attempt cap with its marker line,
// offset-range reads, the migration of a database made with the old job_logs schema, and the bounded
// retention steps (old finished jobs and logs go; recent and depended-on jobs stay); MessageStore's
// archived-message retention.
#include <gtest/gtest.h>

#include "scheduler/store/job_store.h"
#include "scheduler/store/message_store.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

constexpr double kDay = 86400;
constexpr double kT0 = 1'800'000'000;

JobSpec Spec(std::string id, std::vector<std::string> deps = {}) {
  JobSpec spec;
  spec.id = std::move(id);
  spec.command = "true";
  spec.dependencies = std::move(deps);
  return spec;
}

class JobLogsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    auto opened = JobStore::Open(dir_.Join("jobs.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  int Running(const std::string& id) {
    EXPECT_TRUE(store_->Submit({Spec(id)}, kT0).ok());
    return store_->Assign(id, "n1", kT0)->attempt;
  }
  void Finish(const std::string& id, int attempt, double at) {
    ASSERT_TRUE(store_->FinishAttempt(id, attempt, "n1", {0, 1, ""}, at).ok());
  }
  std::string WholeLog(const std::string& id) { return store_->ReadLog(id, 0, 1 << 30)->data; }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
};

TEST_F(JobLogsTest, CapKeepsWhatFitsThenOneMarkerAndNothingMore) {
  const std::string marker = LogTruncationMarker(1024);
  EXPECT_EQ(marker, "\n[buildfarm: log truncated at 1 KiB]\n");
  EXPECT_EQ(LogTruncationMarker(std::int64_t{64} << 20), "\n[buildfarm: log truncated at 64 MiB]\n");
  struct Append {
    std::size_t bytes;
    std::int64_t appended;
    bool truncated;
    bool truncated_now;
  };
  struct Case {
    std::string name;
    std::vector<Append> appends;
    std::size_t kept;  // bytes of 'x' before the marker (no marker when the log never passed the cap)
    bool marker;
  };
  const std::vector<Case> cases = {
      {"under the cap", {{1000, 1000, false, false}, {24, 24, false, false}}, 1024, false},
      {"one chunk over", {{1500, 1024, true, true}, {10, 0, true, false}}, 1024, true},
      {"second chunk crosses", {{1000, 1000, false, false}, {100, 24, true, true}, {5, 0, true, false}}, 1024, true},
      {"exactly full, then more", {{1024, 1024, false, false}, {1, 0, true, true}, {1, 0, true, false}}, 1024, true},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string id = "cap" + std::to_string(n++);
    const int attempt = Running(id);
    for (const Append& a : c.appends) {
      auto appended = store_->AppendLog(id, attempt, std::string(a.bytes, 'x'), 1024);
      ASSERT_TRUE(appended.ok()) << c.name << ": " << appended.status().ToString();
      EXPECT_EQ(appended->appended_bytes, a.appended) << c.name;
      EXPECT_EQ(appended->truncated, a.truncated) << c.name;
      EXPECT_EQ(appended->truncated_now, a.truncated_now) << c.name;
    }
    EXPECT_EQ(WholeLog(id), std::string(c.kept, 'x') + (c.marker ? marker : "")) << c.name;
  }
}

TEST_F(JobLogsTest, CapCutsAtACharacterBoundary) {
  const int attempt = Running("utf8");
  // 1023 bytes of 'x' then a 2-byte character: the character does not fit whole and is left out.
  auto appended = store_->AppendLog("utf8", attempt, std::string(1023, 'x') + "\xc3\xa9" + "tail", 1024);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->appended_bytes, 1023);
  EXPECT_EQ(WholeLog("utf8"), std::string(1023, 'x') + LogTruncationMarker(1024));
}

TEST_F(JobLogsTest, ReadsByOffsetRange) {
  const int attempt = Running("r");
  for (const char* chunk : {"0123", "4567", "89", "abcdef"}) ASSERT_TRUE(store_->AppendLog("r", attempt, chunk).ok());
  struct Case {
    std::int64_t offset, limit;
    std::string data;
    std::int64_t next;
  };
  for (const Case& c : std::vector<Case>{
           {0, 100, "0123456789abcdef", 16},
           {0, 4, "0123", 4},
           {2, 4, "2345", 6},       // spans two chunks
           {3, 8, "3456789a", 11},  // spans four
           {9, 1, "9", 10},
           {10, 6, "abcdef", 16},
           {15, 10, "f", 16},
           {16, 10, "", 16},        // at the end: nothing yet
           {40, 10, "", 40},        // past the end
       }) {
    auto slice = store_->ReadLog("r", c.offset, c.limit);
    ASSERT_TRUE(slice.ok()) << slice.status().ToString();
    EXPECT_EQ(slice->data, c.data) << c.offset << "+" << c.limit;
    EXPECT_EQ(slice->next_offset, c.next) << c.offset << "+" << c.limit;
    EXPECT_EQ(slice->size, 16);
  }
  // Only the chunks overlapping the range are read: a first chunk rewritten behind the store's back
  // (longer, so a read of the whole log would shift) does not change a read that starts after it.
  auto other = Database::Open(dir_.Join("jobs.db"));
  ASSERT_TRUE(other.ok());
  {
    auto lock = (*other)->Lock();
    ASSERT_TRUE((*other)->Exec("UPDATE job_logs SET data = 'not read at all' WHERE start_offset = 0").ok());
  }
  EXPECT_EQ(store_->ReadLog("r", 4, 6)->data, "456789");
}

// The job_logs and jobs tables as schedulers before offsets and retention created them.
constexpr const char* kOldSchema = R"sql(
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, spec TEXT NOT NULL, priority INTEGER NOT NULL,
  branch TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, node TEXT NOT NULL DEFAULT '',
  pinned_node TEXT NOT NULL DEFAULT '', preferred_node TEXT NOT NULL DEFAULT '', attempt INTEGER NOT NULL DEFAULT 0,
  retry_count INTEGER NOT NULL DEFAULT 0, max_retries INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL,
  assigned_at REAL, started_at REAL, completed_at REAL, exit_code INTEGER, duration_seconds REAL,
  error_message TEXT NOT NULL DEFAULT '');
CREATE TABLE job_logs (
  chunk INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, attempt INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX job_logs_by_job ON job_logs(job_id, attempt, chunk);
INSERT INTO jobs (id, spec, priority, state, node, attempt, created_at)
  VALUES ('old', '{"command": "true"}', 5, 'running', 'n1', 2, 1);
INSERT INTO job_logs (job_id, attempt, data) VALUES ('old', 1, 'first attempt ');
INSERT INTO job_logs (job_id, attempt, data) VALUES ('old', 2, 'héllo ');
INSERT INTO job_logs (job_id, attempt, data) VALUES ('other', 2, 'not mine ');
INSERT INTO job_logs (job_id, attempt, data) VALUES ('old', 2, 'wörld');
INSERT INTO job_logs (job_id, attempt, data) VALUES ('old', 2, '!');
)sql";

TEST(JobLogsMigration, OldSchemaDatabaseIsMigratedAtOpenWithOffsetsBackfilled) {
  testing::TempDir dir;
  {
    auto db = Database::Open(dir.Join("old.db"));
    ASSERT_TRUE(db.ok());
    auto lock = (*db)->Lock();
    ASSERT_TRUE((*db)->Exec(kOldSchema).ok());
  }
  auto store = JobStore::Open(dir.Join("old.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // Offsets count bytes: "héllo " is 7 bytes, "wörld" 6.
  struct Case {
    std::int64_t offset, limit;
    std::string data;
  };
  for (const Case& c : std::vector<Case>{{0, 100, "héllo wörld!"}, {7, 6, "wörld"}, {13, 5, "!"}, {3, 5, "llo w"}}) {
    auto slice = (*store)->ReadLog("old", c.offset, c.limit);
    ASSERT_TRUE(slice.ok()) << slice.status().ToString();
    EXPECT_EQ(slice->data, c.data) << c.offset;
    EXPECT_EQ(slice->size, 14);
  }
  // New chunks continue after the migrated ones; opening again changes nothing.
  ASSERT_TRUE((*store)->AppendLog("old", 2, "\n").ok());
  store->reset();
  auto again = JobStore::Open(dir.Join("old.db"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->ReadLog("old", 0, 100)->data, "héllo wörld!\n");
  EXPECT_FALSE((*again)->Get("old")->log_expired_at.has_value());
}

TEST_F(JobLogsTest, LogRetentionDeletesOldFinishedLogsInBatchesAndKeepsTheJobs) {
  const int old_attempt = Running("old");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->AppendLog("old", old_attempt, "chunk\n").ok());
  Finish("old", old_attempt, kT0 + 1 * kDay);
  const int recent_attempt = Running("recent");
  ASSERT_TRUE(store_->AppendLog("recent", recent_attempt, "keep me\n").ok());
  Finish("recent", recent_attempt, kT0 + 9 * kDay);
  const int running_attempt = Running("running");
  ASSERT_TRUE(store_->AppendLog("running", running_attempt, "still going\n").ok());

  const double now = kT0 + 10 * kDay;
  const double cutoff = now - 7 * kDay;
  std::vector<SweepStep> steps;
  for (bool more = true; more;) {
    auto step = store_->ExpireLogs(cutoff, now, 2);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    EXPECT_LE(step->log_chunks + step->jobs, 2);
    steps.push_back(*step);
    more = step->more;
    ASSERT_LT(steps.size(), 10u);
  }
  std::int64_t chunks = 0;
  for (const auto& s : steps) chunks += s.log_chunks;
  EXPECT_EQ(chunks, 5);
  EXPECT_GE(steps.size(), 3u);  // 5 chunks two at a time
  auto old = store_->Get("old");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->log_expired_at, now);
  auto read = store_->ReadLog("old", 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->expired_at, now);
  EXPECT_EQ(read->data, "");
  EXPECT_EQ(WholeLog("recent"), "keep me\n");
  EXPECT_EQ(WholeLog("running"), "still going\n");
  EXPECT_FALSE(store_->Get("recent")->log_expired_at.has_value());
  // A retry starts a fresh log.
  ASSERT_TRUE(store_->Submit({Spec("failed")}, kT0).ok());
  const int failed_attempt = store_->Assign("failed", "n1", kT0)->attempt;
  ASSERT_TRUE(store_->FinishAttempt("failed", failed_attempt, "n1", {1, 1, ""}, kT0 + kDay).ok());
  ASSERT_TRUE(store_->ExpireLogs(cutoff, now, 100).ok());
  EXPECT_TRUE(store_->Get("failed")->log_expired_at.has_value());
  auto retried = store_->Retry("failed", now);
  ASSERT_TRUE(retried.ok());
  EXPECT_FALSE(retried->log_expired_at.has_value());
}

TEST_F(JobLogsTest, JobRetentionKeepsRecentAndDependedOnJobs) {
  // old1 <- old2 (both finished long ago); old3 <- blocked (unfinished); recent finished lately.
  ASSERT_TRUE(store_->Submit({Spec("old1"), Spec("old2", {"old1"}), Spec("old3"), Spec("recent")}, kT0).ok());
  for (const char* id : {"old1", "old3"}) {
    const int attempt = store_->Assign(id, "n1", kT0)->attempt;
    ASSERT_TRUE(store_->AppendLog(id, attempt, "log\n").ok());
    Finish(id, attempt, kT0 + kDay);
  }
  Finish("old2", store_->Assign("old2", "n1", kT0)->attempt, kT0 + kDay);
  Finish("recent", store_->Assign("recent", "n1", kT0)->attempt, kT0 + 29 * kDay);
  // Submitted later, still waiting on old3 (failed jobs would cancel it, so old3 completed).
  ASSERT_TRUE(store_->Submit({Spec("waiting", {"old3", "never"}), Spec("never")}, kT0 + 2 * kDay).ok());
  ASSERT_EQ(store_->Get("waiting")->state, JobState::kBlocked);

  const double cutoff = kT0 + 31 * kDay - 30 * kDay;
  std::int64_t jobs = 0, chunks = 0;
  int steps = 0;
  for (bool more = true; more; ++steps) {
    auto step = store_->DeleteFinishedJobs(cutoff + kDay, 1);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    EXPECT_LE(step->jobs + step->log_chunks, 1);
    jobs += step->jobs;
    chunks += step->log_chunks;
    more = step->more;
    ASSERT_LT(steps, 20);
  }
  EXPECT_EQ(jobs, 2);    // old1 and old2
  EXPECT_EQ(chunks, 1);  // old1's log
  EXPECT_EQ(store_->Get("old1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("old2").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Get("old3").ok());    // "waiting" depends on it
  EXPECT_EQ(WholeLog("old3"), "log\n");
  EXPECT_TRUE(store_->Get("recent").ok());
  EXPECT_TRUE(store_->Get("waiting").ok());
}

TEST(ArchivedMessageRetention, DeletesOnlyOldArchivedMessagesInBatches) {
  testing::TempDir dir;
  auto store = MessageStore::Open(dir.Join("farm.db"));
  ASSERT_TRUE(store.ok());
  MessageStore& messages = **store;
  for (int i = 0; i < 5; ++i) {
    MessageDraft draft;
    draft.from = "build1";
    draft.to = "build2";
    draft.subject = "old " + std::to_string(i);
    auto sent = messages.Send(draft, kT0);
    ASSERT_TRUE(sent.ok());
    ASSERT_TRUE(messages.MarkRead(sent->message.id, "build2", kT0 + 1).ok());
  }
  ASSERT_EQ(messages.Archive(0, kT0 + 2)->size(), 5u);  // archived at kT0 + 2
  MessageDraft recent;
  recent.from = "build1";
  recent.to = "build2";
  recent.subject = "recent";
  auto sent = messages.Send(recent, kT0 + 40 * kDay);
  ASSERT_TRUE(messages.MarkRead(sent->message.id, "build2", kT0 + 40 * kDay).ok());
  ASSERT_EQ(messages.Archive(0, kT0 + 40 * kDay + 1)->size(), 1u);

  const double cutoff = kT0 + 41 * kDay - 30 * kDay;
  std::vector<std::int64_t> batches;
  for (std::int64_t deleted = 2; deleted == 2;) {
    auto step = messages.DeleteArchivedBefore(cutoff, 2);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    deleted = *step;
    batches.push_back(deleted);
  }
  EXPECT_EQ(batches, (std::vector<std::int64_t>{2, 2, 1}));
  EXPECT_TRUE(messages.Get(sent->message.id).ok());
}

}  // namespace
}  // namespace buildfarm::scheduler
