#include "scheduler/plugins/priority_sort.h"

#include <algorithm>

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

TEST(PrioritySort, PriorityThenAgeThenId) {
  PrioritySort plugin({});
  struct Row {
    std::string name;
    JobView a, b;
    bool a_first;
  };
  for (const Row& row : std::vector<Row>{
           {"higher priority first", JobBuilder("a").Priority(9), JobBuilder("b").Priority(2), true},
           {"10 beats 9 even if younger", JobBuilder("a").Priority(9).CreatedAgo(100),
            JobBuilder("b").Priority(10).CreatedAgo(1), false},
           {"same priority: older first", JobBuilder("a").CreatedAgo(5), JobBuilder("b").CreatedAgo(50), false},
           {"same priority and age: by id", JobBuilder("a"), JobBuilder("b"), true},
       }) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(plugin.Less(row.a, row.b), row.a_first);
    EXPECT_EQ(plugin.Less(row.b, row.a), !row.a_first);
  }
}

TEST(PrioritySort, OrdersAQueue) {
  PrioritySort plugin({});
  std::vector<JobView> jobs = {JobBuilder("low-old").Priority(1).CreatedAgo(900),
                               JobBuilder("mid-young").Priority(5).CreatedAgo(10),
                               JobBuilder("urgent").Priority(10).CreatedAgo(1),
                               JobBuilder("mid-old").Priority(5).CreatedAgo(60)};
  std::sort(jobs.begin(), jobs.end(), [&](const JobView& a, const JobView& b) { return plugin.Less(a, b); });
  std::vector<std::string> ids;
  for (const JobView& job : jobs) ids.push_back(job.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"urgent", "mid-old", "mid-young", "low-old"}));
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
