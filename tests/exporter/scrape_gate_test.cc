// ScrapeGate: at most `slots` holders at once; a waiter gets in when a holder leaves.
#include "exporter/scrape_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "tests/support/eventually.h"

namespace buildfarm::exporter {
namespace {

using ::buildfarm::testing::Eventually;

TEST(ScrapeGate, AThirdScrapeWaitsUntilOneOfTwoSlotsIsFree) {
  ScrapeGate gate(2);
  auto first = std::make_unique<ScrapeGate::Slot>(gate);
  auto second = std::make_unique<ScrapeGate::Slot>(gate);
  EXPECT_EQ(gate.free_slots(), 0);

  std::atomic<bool> third_in{false};
  std::thread third([&] {
    ScrapeGate::Slot slot(gate);
    third_in = true;
  });
  // Once the third waits it is not in; when a holder leaves it gets in (and leaves).
  ASSERT_TRUE(Eventually([&] { return gate.waiting() == 1; }, 10, "third scrape waiting"));
  EXPECT_FALSE(third_in.load());
  first.reset();
  ASSERT_TRUE(Eventually([&] { return third_in.load(); }, 10, "third scrape admitted"));
  third.join();
  EXPECT_EQ(gate.waiting(), 0);
  EXPECT_EQ(gate.free_slots(), 1);
  second.reset();
  EXPECT_EQ(gate.free_slots(), 2);
}

TEST(ScrapeGate, ZeroOrNegativeSlotsStillAdmitsOne) {
  for (int slots : {0, -3}) {
    ScrapeGate gate(slots);
    EXPECT_EQ(gate.free_slots(), 1) << slots;
    ScrapeGate::Slot slot(gate);
    EXPECT_EQ(gate.free_slots(), 0) << slots;
  }
}

}  // namespace
}  // namespace buildfarm::exporter
