#include "scheduler/plugins/default_binder.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

class RecordingBinder : public Binder {
 public:
  explicit RecordingBinder(Status answer) : answer_(std::move(answer)) {}
  Status Bind(const JobView& job, const NodeView& node, Time now) override {
    calls.push_back(job.id + "->" + node.name);
    last_time = now;
    return answer_;
  }
  std::vector<std::string> calls;
  Time last_time{};

 private:
  Status answer_;
};

TEST(DefaultBinder, HandsThePlacementToTheBinder) {
  DefaultBinder plugin({});
  struct Row {
    std::string name;
    Status answer;
    bool want_ok;
  };
  for (const Row& row : std::vector<Row>{{"accepted", Status::Ok(), true},
                                         {"store refused", Unavailable("store is locked"), false}}) {
    SCOPED_TRACE(row.name);
    RecordingBinder binder(row.answer);
    CycleState state = StateAt();
    state.binder = &binder;
    Status status = plugin.Bind(state, JobBuilder("j1"), NodeBuilder("n1"));
    EXPECT_EQ(status.ok(), row.want_ok);
    EXPECT_EQ(binder.calls, std::vector<std::string>{"j1->n1"});
    EXPECT_EQ(binder.last_time, TestNow());
  }
}

TEST(DefaultBinder, WithoutBinderOnlyRecords) {
  DefaultBinder plugin({});
  CycleState state = StateAt();
  EXPECT_TRUE(plugin.Bind(state, JobBuilder(), NodeBuilder()).ok());
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
