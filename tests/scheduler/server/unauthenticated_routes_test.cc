// /readyz and /metrics need no token, so they must be cheap and bounded (issue 11, item 10): /readyz writes
// nothing to the store yet names a store that cannot take writes; /metrics counts the tables at most once
// per metrics.store_refresh; buildfarm_messages_unread keeps a bounded number of series however many
// recipients are invented. BoundedRefresh and the recipient folding are also checked on their own.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>

#include "common/prometheus_text.h"
#include "scheduler/server/bounded_refresh.h"
#include "scheduler/server/message_metrics.h"
#include "tests/scheduler/server/server_fixture.h"
#include "tests/support/prom_text.h"

namespace buildfarm::scheduler {
namespace {

// Another connection to the scheduler's file: PRAGMA data_version changes when any other connection
// commits, so it sees every write the scheduler makes.
class StoreWatcher {
 public:
  explicit StoreWatcher(const std::string& path) : db_(std::move(Database::Open(path)).value()) {}
  std::int64_t DataVersion() {
    auto lock = db_->Lock();
    auto stmt = db_->Prepare("PRAGMA data_version");
    EXPECT_TRUE(stmt.ok() && stmt->Step());
    return stmt.ok() ? stmt->ColumnInt(0) : -1;
  }

 private:
  std::shared_ptr<Database> db_;
};

std::int64_t QueryInt(Database& db, const std::string& sql) {
  auto lock = db.Lock();
  auto stmt = db.Prepare(sql);
  EXPECT_TRUE(stmt.ok() && stmt->Step()) << sql;
  return stmt.ok() ? stmt->ColumnInt(0) : -1;
}

class ReadyzTest : public ServerTest {
 protected:
  void SetMaxPages(std::int64_t pages) {
    auto lock = app_->database().Lock();
    ASSERT_TRUE(app_->database().Exec("PRAGMA max_page_count = " + std::to_string(pages)).ok());
  }
};

TEST_F(ReadyzTest, ReadyzWritesNothingToTheStore) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  StoreWatcher watcher(dir_.Join("scheduler.db"));
  const std::int64_t before = watcher.DataVersion();
  const auto wal = std::filesystem::path(dir_.Join("scheduler.db-wal"));
  const auto wal_size = std::filesystem::exists(wal) ? std::filesystem::file_size(wal) : 0;
  for (int i = 0; i < 200; ++i) ASSERT_EQ(Get("/readyz", "").status, 200);
  EXPECT_EQ(watcher.DataVersion(), before) << "a /readyz committed a write";
  EXPECT_EQ(std::filesystem::exists(wal) ? std::filesystem::file_size(wal) : 0, wal_size);
  // The watcher does see the scheduler's writes.
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "").status, 200);
  EXPECT_NE(watcher.DataVersion(), before);
}

TEST_F(ReadyzTest, AStoreThatCannotTakeWritesIsNotReadyUntilOneCommits) {
  // The file may not grow: a job's row needs new pages, as on a full disk.
  SetMaxPages(QueryInt(app_->database(), "PRAGMA page_count"));
  const std::string big_command = "echo " + std::string(60000, 'x');
  Reply refused = Post("/api/v1/jobs", nlohmann::json{{"command", big_command}}.dump());
  ASSERT_NE(refused.status, 201) << refused.body;
  Reply ready = Get("/readyz", "");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.json.value("error", "").find("full"), std::string::npos) << ready.body;

  SetMaxPages(1 << 30);
  EXPECT_EQ(Get("/readyz", "").status, 503) << "nothing has been written since";
  Submit({{"command", big_command}});
  EXPECT_EQ(Get("/readyz", "").status, 200);
}

// Scrapes with the default-sized refresh: counts every statement that scans the jobs or messages table.
class MetricsRefreshTest : public ServerTest {
 protected:
  void Configure(SchedulerConfig& config) override { config.metrics_refresh_seconds = 3600; }
  void CountScans() {
    auto lock = app_->database().Lock();
    app_->database().SetPrepareObserver([this](std::string_view sql) {
      if (sql.find("COUNT(*) FROM jobs") != std::string_view::npos) ++job_counts_;
      if (sql.find("MIN(created_at) FROM jobs") != std::string_view::npos) ++oldest_queued_;
      if (sql.find("COUNT(*) FROM messages") != std::string_view::npos) ++message_counts_;
    });
  }
  void TearDown() override {
    if (app_) {
      auto lock = app_->database().Lock();
      app_->database().SetPrepareObserver(nullptr);
    }
    ServerTest::TearDown();
  }
  std::atomic<int> job_counts_{0}, oldest_queued_{0}, message_counts_{0};
};

TEST_F(MetricsRefreshTest, ScrapesCountTheTablesAtMostOncePerRefresh) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "").status, 200);
  Submit({});
  ASSERT_EQ(Post("/api/v1/messages", R"({"from": "b1", "to": "b2", "subject": "s"})").status, 201);
  CountScans();
  std::string metrics;
  for (int i = 0; i < 50; ++i) {
    Reply scrape = Get("/metrics", "");
    ASSERT_EQ(scrape.status, 200);
    if (i == 0) metrics = scrape.body;
  }
  EXPECT_EQ(job_counts_.load(), 1);
  EXPECT_EQ(oldest_queued_.load(), 1);
  EXPECT_EQ(message_counts_.load(), 1);
  std::string error;
  auto parsed = testing::ParsePromText(metrics, &error);
  ASSERT_TRUE(parsed) << error;
  auto samples = parsed->ByKey();
  EXPECT_EQ(samples[R"(buildfarm_scheduler_jobs{status="queued"})"].value, 1);
  EXPECT_EQ(samples[R"(buildfarm_messages_unread{priority="normal",to="b2"})"].value, 1);
  EXPECT_EQ(samples[R"(buildfarm_scheduler_node_state{node="b1",state="cordoned"})"].value, 1)
      << "per-node series stay exact";
}

// /metrics may be a refresh behind; GET /api/v1/summary (a token needed) counts at the request, so the
// job an operator just submitted shows in `build-cli status` at once.
TEST_F(MetricsRefreshTest, SummaryCountsAtTheRequestWhileMetricsShowTheCachedCounts) {
  ASSERT_EQ(Get("/metrics", "").status, 200);  // caches "no jobs" for an hour
  ASSERT_EQ(RegisterNode("b1").status, 200);
  ASSERT_EQ(Post("/api/v1/nodes/b1/cordon", "").status, 200);
  Submit({});
  Reply summary = Get("/api/v1/summary", "viewertok");
  ASSERT_EQ(summary.status, 200) << summary.body;
  EXPECT_EQ(summary.json["jobs"]["queued"], 1) << summary.body;
  EXPECT_EQ(summary.json["jobs"]["cancelled"], 0) << "every state is listed" << summary.body;
  std::string error;
  auto parsed = testing::ParsePromText(Get("/metrics", "").body, &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->ByKey()[R"(buildfarm_scheduler_jobs{status="queued"})"].value, 0) << "the cached count";
  EXPECT_EQ(Get("/api/v1/summary", "").status, 401);
  EXPECT_EQ(Get("/api/v1/summary", "b1tok").status, 403);
}

TEST(BoundedRefresh, ComputesAtMostOncePerIntervalOfTheInjectedClock) {
  double now = 100;
  int computed = 0;
  BoundedRefresh<int> refresh(15, [&] { return now; });
  auto get = [&] { return refresh.Get([&] { return ++computed; }); };
  EXPECT_EQ(get(), 1);
  now += 14.9;
  EXPECT_EQ(get(), 1) << "within the interval";
  now += 0.1;
  EXPECT_EQ(get(), 2) << "the interval passed";
  now -= 60;
  EXPECT_EQ(get(), 3) << "the clock went back";
  EXPECT_EQ(refresh.computations(), 3);
  BoundedRefresh<int> every_call(0, [&] { return now; });
  every_call.Get([] { return 0; });
  every_call.Get([] { return 0; });
  EXPECT_EQ(every_call.computations(), 2);
}

// The recipient labels of buildfarm_messages_unread in `text`, and the value of to="other" (all priorities).
std::pair<std::set<std::string>, double> Recipients(const std::string& text) {
  std::string error;
  auto parsed = testing::ParsePromText(text, &error);
  EXPECT_TRUE(parsed) << error;
  std::pair<std::set<std::string>, double> out{{}, 0};
  if (!parsed) return out;
  for (const auto& sample : parsed->samples) {
    if (sample.name != "buildfarm_messages_unread") continue;
    out.first.insert(sample.Label("to"));
    if (sample.Label("to") == MessageMetrics::kOtherRecipient) out.second += sample.value;
  }
  return out;
}

TEST(UnreadFamily, OnlyKnownRecipientsGetASeriesAndAtMostTheBound) {
  std::vector<UnreadCount> counts{{"all", MessagePriority::kHigh, 2}, {"ghost", MessagePriority::kLow, 3}};
  std::set<std::string> known;
  for (int i = 0; i < 150; ++i) {
    const std::string node = "n" + std::to_string(1000 + i);
    known.insert(node);
    counts.push_back({node, MessagePriority::kNormal, 1});
  }
  std::string text;
  AppendPrometheusText(text, {UnreadFamily(counts, known)});
  auto [recipients, other] = Recipients(text);
  EXPECT_EQ(recipients.size(), MessageMetrics::kMaxRecipientLabels + 2) << "the bound, plus all and other";
  EXPECT_TRUE(recipients.count("n1000"));
  EXPECT_FALSE(recipients.count("n1149")) << "past the bound (by name)";
  EXPECT_FALSE(recipients.count("ghost"));
  EXPECT_EQ(other, 3 + 50) << "ghost's, and the 50 known recipients past the bound";
}

class MessageSeriesTest : public ServerTest {
 protected:
  void Configure(SchedulerConfig& config) override { config.message_recipients = {"ops"}; }
};

TEST_F(MessageSeriesTest, InventedRecipientsFoldIntoOneSeries) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  // Stored as sent (docs/api.md: `to` is any DNS label), through the API and then in bulk.
  ASSERT_EQ(Post("/api/v1/messages", R"({"from": "b1", "to": "nobody-0", "subject": "s"})").status, 201);
  ASSERT_EQ(Post("/api/v1/messages", R"({"from": "b1", "to": "ops", "subject": "s"})").status, 201);
  ASSERT_EQ(Post("/api/v1/messages", R"({"from": "ops", "to": "b1", "subject": "s"})").status, 201);
  const double now = NowSeconds();
  Status sent = app_->database().RunInTransaction([&]() -> Status {
    for (int i = 1; i < 10000; ++i) {
      MessageDraft draft;
      draft.from = "b1";
      draft.to = "nobody-" + std::to_string(i);
      draft.subject = "s";
      // A millisecond apart: message ids carry the millisecond.
      BUILDFARM_RETURN_IF_ERROR(app_->messages().Send(draft, now - 20 + i * 0.001).status());
    }
    return Status::Ok();
  });
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  auto [recipients, other] = Recipients(Get("/metrics", "").body);
  EXPECT_EQ(recipients, (std::set<std::string>{"all", "other", "ops", "b1"}));
  EXPECT_EQ(other, 10000);
}

}  // namespace
}  // namespace buildfarm::scheduler
