#include "scheduler/plugins/in_flight_load.h"

#include "scheduler/framework/in_flight.h"
#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

TEST(InFlightLoad, RecordsExpectedLoadInSnapshotAndTracker) {
  InFlightLoad plugin({});
  struct Row {
    std::string name;
    double node_cores;
    JobView job;
    double default_cores;
    double want_load;
  };
  for (const Row& row : std::vector<Row>{
           {"4 of 16 cores", 16, JobBuilder().Cores(4), 1, 0.25},
           {"no requirements: default 1 core", 16, JobBuilder(), 1, 1.0 / 16},
           {"no requirements: default 2 cores", 8, JobBuilder(), 2, 0.25},
           {"more cores than the node", 2, JobBuilder().Cores(4), 1, 2.0},
       }) {
    SCOPED_TRACE(row.name);
    InFlightTracker tracker;
    CycleState state = StateAt();
    state.in_flight = &tracker;
    state.default_job_cores = row.default_cores;
    NodeView node = NodeBuilder("n").Cores(row.node_cores).InFlight(0.1);
    ASSERT_TRUE(plugin.Reserve(state, row.job, node).ok());
    EXPECT_DOUBLE_EQ(node.in_flight_load, 0.1 + row.want_load);
    EXPECT_DOUBLE_EQ(tracker.LoadOn("n"), row.want_load);
    plugin.Unreserve(state, row.job, node);
    EXPECT_NEAR(node.in_flight_load, 0.1, 1e-12);
    EXPECT_EQ(tracker.RecordCount(), 0u);
  }
}

TEST(InFlightLoad, WorksWithoutATracker) {
  InFlightLoad plugin({});
  CycleState state = StateAt();
  NodeView node = NodeBuilder().Cores(4);
  ASSERT_TRUE(plugin.Reserve(state, JobBuilder().Cores(1), node).ok());
  EXPECT_DOUBLE_EQ(node.in_flight_load, 0.25);
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
