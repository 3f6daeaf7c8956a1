#include "scheduler/plugins/node_reservation.h"

#include "tests/scheduler/plugins/plugin_test_util.h"

namespace buildfarm::scheduler::plugins {
namespace {

using namespace buildfarm::scheduler::testing;

TEST(NodeReservation, ReserveThenUnreserveRestoresTheNode) {
  NodeReservation plugin({});
  struct Row {
    std::string name;
    JobView job;
    Resources want_reserved;
  };
  for (const Row& row : std::vector<Row>{
           {"cores and memory", JobBuilder().Cores(2).Memory(4 * kGiB), {3, 5 * kGiB, 0}},
           {"no requirements", JobBuilder(), {1, 1 * kGiB, 0}},
           {"disk", JobBuilder().Disk(kGiB), {1, 1 * kGiB, kGiB}},
       }) {
    SCOPED_TRACE(row.name);
    NodeView node = NodeBuilder().Reserved(1, kGiB).Running(1);
    CycleState state = StateAt();
    ASSERT_TRUE(plugin.Reserve(state, row.job, node).ok());
    EXPECT_DOUBLE_EQ(node.reservations.cores, row.want_reserved.cores);
    EXPECT_EQ(node.reservations.memory_bytes, row.want_reserved.memory_bytes);
    EXPECT_EQ(node.reservations.disk_bytes, row.want_reserved.disk_bytes);
    EXPECT_EQ(node.running_jobs, 2);
    plugin.Unreserve(state, row.job, node);
    EXPECT_DOUBLE_EQ(node.reservations.cores, 1);
    EXPECT_EQ(node.reservations.memory_bytes, kGiB);
    EXPECT_EQ(node.running_jobs, 1);
  }
}

}  // namespace
}  // namespace buildfarm::scheduler::plugins
