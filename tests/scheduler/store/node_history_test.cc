// NodeHistory: builds today / this week (UTC calendar), 7-day average and success rate, and uptime from
// recorded state changes, all at an injected `now`; plus the stores that feed it.
#include "scheduler/store/node_history.h"

#include <gtest/gtest.h>

#include "scheduler/store/job_store.h"
#include "scheduler/store/node_store.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

constexpr double kHour = 3600;
constexpr double kDay = 86400;
constexpr double kFriday1200 = 1795780800;  // 2026-11-27T12:00:00Z, a Friday
constexpr double kFridayMidnight = 1795737600;
constexpr double kMonday = 1795392000;       // 2026-11-23T00:00:00Z

TEST(NodeHistory, CalendarBoundariesAreUtc) {
  EXPECT_EQ(StartOfUtcDay(kFriday1200), kFridayMidnight);
  EXPECT_EQ(StartOfUtcWeek(kFriday1200), kMonday);
  EXPECT_EQ(StartOfUtcWeek(kMonday), kMonday);                  // Monday 00:00 starts its own week
  EXPECT_EQ(StartOfUtcWeek(kMonday - 1), kMonday - 7 * kDay);   // Sunday 23:59:59 is the week before
}

TEST(NodeHistory, BuildCountsAverageAndSuccessRate) {
  struct Case {
    const char* name;
    std::vector<BuildRecord> builds;
    std::int64_t today, week;
    std::optional<double> avg, success;
  };
  const Case cases[] = {
      {"no builds", {}, 0, 0, std::nullopt, std::nullopt},
      {"today only", {{kFriday1200 - kHour, 60.0, true}, {kFriday1200 - 2 * kHour, 120.0, false}}, 2, 2, 90.0, 50.0},
      {"just before midnight counts for the week, not today",
       {{kFridayMidnight - 1, 30.0, true}}, 0, 1, 30.0, 100.0},
      {"last week's Sunday is in the 7 days but not this week",
       {{kMonday - kHour, 100.0, true}, {kFriday1200 - kHour, 200.0, true}}, 1, 1, 150.0, 100.0},
      {"older than 7 days is ignored", {{kFriday1200 - 8 * kDay, 500.0, false}}, 0, 0, std::nullopt, std::nullopt},
      {"a build without a duration counts for the rate, not the average",
       {{kFriday1200 - kHour, std::nullopt, false}, {kFriday1200 - kHour, 10.0, true}, {kFriday1200 - kHour, 20.0, true}},
       3, 3, 15.0, 66.67},
      {"a finish in the future (clock skew) is ignored", {{kFriday1200 + kHour, 10.0, true}}, 0, 0, std::nullopt,
       std::nullopt},
  };
  for (const Case& c : cases) {
    NodeHistory h = ComputeNodeHistory(c.builds, {}, kFriday1200);
    EXPECT_EQ(h.builds_today, c.today) << c.name;
    EXPECT_EQ(h.builds_this_week, c.week) << c.name;
    EXPECT_EQ(h.avg_build_time_seconds, c.avg) << c.name;
    EXPECT_EQ(h.success_rate_percent, c.success) << c.name;
    EXPECT_FALSE(h.uptime_percent.has_value()) << c.name;  // no state recorded: unknown, not 100
  }
}

TEST(NodeHistory, UptimeFromStateChanges) {
  const double now = kFriday1200;
  const double week_ago = now - 7 * kDay;
  struct Case {
    const char* name;
    std::vector<StateChange> changes;
    std::optional<double> uptime;
  };
  const Case cases[] = {
      {"none recorded", {}, std::nullopt},
      {"up all week (change before the window)", {{week_ago - kDay, false}}, 100.0},
      {"down all week", {{week_ago - kDay, true}}, 0.0},
      {"down for 42 hours of 168", {{week_ago - kDay, false}, {now - 50 * kHour, true}, {now - 8 * kHour, false}}, 75.0},
      {"still down since 84 hours ago", {{week_ago - kDay, false}, {now - 84 * kHour, true}}, 50.0},
      {"known for a day only, down 6 hours of 24",
       {{now - 24 * kHour, false}, {now - 12 * kHour, true}, {now - 6 * kHour, false}}, 75.0},
      {"down before the window, back inside it", {{week_ago - kDay, true}, {week_ago + 7 * kDay / 4, false}}, 75.0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ComputeNodeHistory({}, c.changes, now).uptime_percent, c.uptime) << c.name;
  }
}

TEST(NodeHistory, JsonLeavesOutWhatIsUnknown) {
  NodeHistory h;
  h.builds_today = 3;
  h.builds_this_week = 9;
  h.success_rate_percent = 88.89;
  EXPECT_EQ(NodeHistoryToJson(h),
            nlohmann::json({{"builds_today", 3}, {"builds_this_week", 9}, {"success_rate_percent", 88.89}}));
}

TEST(NodeHistory, StoresRecordBuildsAndStateChanges) {
  testing::TempDir dir;
  const std::string db = dir.Join("s.db");
  const double t0 = kFriday1200 - 3 * kDay;
  {
    auto nodes = NodeStore::Open(db, t0);
    ASSERT_TRUE(nodes.ok());
    NodeRecord b1;
    b1.name = "b1";
    ASSERT_TRUE((*nodes)->Register(b1, t0).ok());
    EXPECT_TRUE((*nodes)->MarkDown("b1", t0 + kDay));
    EXPECT_FALSE((*nodes)->MarkDown("b1", t0 + kDay + 5));  // already down: nothing new recorded
    auto changes = (*nodes)->StateChanges("b1", t0 + kHour);
    ASSERT_TRUE(changes.ok());
    ASSERT_EQ(changes->size(), 2u);
    EXPECT_EQ((*changes)[0].at, t0);  // the change before `since` gives the state at `since`
    EXPECT_FALSE((*changes)[0].down);
    EXPECT_EQ((*changes)[1].at, t0 + kDay);
    EXPECT_TRUE((*changes)[1].down);
  }
  // A restart gives every node a fresh lease: the down node counts as up from the restart on.
  auto reopened = NodeStore::Open(db, t0 + 2 * kDay);
  ASSERT_TRUE(reopened.ok());
  auto changes = (*reopened)->StateChanges("b1", 0);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 3u);
  EXPECT_FALSE(changes->back().down);
  // Down one day of the three known: 66.67 %.
  EXPECT_EQ(ComputeNodeHistory({}, *changes, kFriday1200).uptime_percent, 66.67);

  auto jobs = JobStore::Open(db);
  ASSERT_TRUE(jobs.ok());
  JobSpec ok_spec, bad_spec;
  ok_spec.id = "ok";
  ok_spec.command = "true";
  bad_spec.id = "bad";
  bad_spec.command = "false";
  ASSERT_TRUE((*jobs)->Submit({ok_spec, bad_spec}, t0).ok());
  for (const auto& [id, code] : {std::pair<std::string, int>{"ok", 0}, {"bad", 1}}) {
    ASSERT_TRUE((*jobs)->Assign(id, "b1", t0).ok());
    ASSERT_TRUE((*jobs)->StartAttempt(id, 1, "b1", t0).ok());
    AttemptResult result;
    result.exit_code = code;
    ASSERT_TRUE((*jobs)->FinishAttempt(id, 1, "b1", result, t0 + 10).ok());
  }
  auto builds = (*jobs)->BuildsOnNode("b1", t0);
  ASSERT_TRUE(builds.ok());
  ASSERT_EQ(builds->size(), 2u);
  NodeHistory h = ComputeNodeHistory(*builds, {}, kFriday1200);
  EXPECT_EQ(h.success_rate_percent, 50.0);
  EXPECT_EQ(h.builds_this_week, 2);
  EXPECT_EQ(h.builds_today, 0);
  EXPECT_TRUE((*jobs)->BuildsOnNode("b2", t0)->empty());
  EXPECT_TRUE((*jobs)->BuildsOnNode("b1", t0 + 11)->empty());
}

// Issue 11, item 6: the state-change table is pruned to what uptime_percent still reads, in batches.
TEST(NodeHistory, PruningKeepsTheLastChangeBeforeTheWindow) {
  testing::TempDir dir;
  const double t0 = kFriday1200 - 3 * kDay;
  auto nodes = NodeStore::Open(dir.Join("s.db"), t0);
  ASSERT_TRUE(nodes.ok());
  for (const char* name : {"b1", "b2"}) {
    NodeRecord node;
    node.name = name;
    ASSERT_TRUE((*nodes)->Register(node, t0).ok());
  }
  // b1 flaps: down at 2 h, up at 3 h, ... down at 8 h, up at 9 h.
  for (int hour = 2; hour <= 8; hour += 2) {
    ASSERT_TRUE((*nodes)->MarkDown("b1", t0 + hour * kHour));
    ASSERT_TRUE((*nodes)->Heartbeat("b1", t0 + (hour + 1) * kHour).ok());
  }
  const double before = t0 + 8.5 * kHour;
  auto b1_before = (*nodes)->StateChanges("b1", before);
  auto b2_before = (*nodes)->StateChanges("b2", before);
  ASSERT_TRUE(b1_before.ok() && b2_before.ok());
  std::vector<std::int64_t> batches;
  for (std::int64_t deleted = 3; deleted == 3;) {
    auto step = (*nodes)->PruneStateChanges(before, 3);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    deleted = *step;
    batches.push_back(deleted);
  }
  // b1's eight changes before 8.5 h (up at 0 h ... down at 8 h) keep only the last; b2's one stays.
  EXPECT_EQ(batches, (std::vector<std::int64_t>{3, 3, 1}));
  auto b1_after = (*nodes)->StateChanges("b1", before);
  ASSERT_TRUE(b1_after.ok());
  ASSERT_EQ(b1_after->size(), b1_before->size());
  for (std::size_t i = 0; i < b1_after->size(); ++i) {
    EXPECT_EQ((*b1_after)[i].at, (*b1_before)[i].at);
    EXPECT_EQ((*b1_after)[i].down, (*b1_before)[i].down);
  }
  EXPECT_EQ((*nodes)->StateChanges("b2", before)->size(), b2_before->size());
  EXPECT_EQ((*nodes)->StateChanges("b1", 0)->size(), 2u);  // down at 8 h, up at 9 h
}

}  // namespace
}  // namespace buildfarm::scheduler
