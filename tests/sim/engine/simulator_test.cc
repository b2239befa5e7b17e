#include "sim/engine/simulator.h"

#include <gtest/gtest.h>

#include <vector>

namespace meshsim::sim {
namespace {

// Records which events fired, in order, with the time at which each fired.
struct Recorder {
  Simulator& sim;
  std::vector<std::pair<std::uint64_t, std::int64_t>> fired;

  void onEvent(std::uint64_t tag) {
    fired.emplace_back(tag, sim.now().time_since_epoch().count());
  }
  Event event(std::uint64_t tag) { return Event::member<&Recorder::onEvent>(this, tag); }
};

TEST(SimulatorTest, FiresInTimeOrder) {
  Simulator sim;
  Recorder rec{sim, {}};
  sim.scheduleAt(SimTime(30ns), rec.event(3));
  sim.scheduleAt(SimTime(10ns), rec.event(1));
  sim.scheduleAt(SimTime(20ns), rec.event(2));
  sim.runUntilEmpty();
  ASSERT_EQ(rec.fired.size(), 3u);
  EXPECT_EQ(rec.fired[0], std::make_pair(std::uint64_t{1}, std::int64_t{10}));
  EXPECT_EQ(rec.fired[1], std::make_pair(std::uint64_t{2}, std::int64_t{20}));
  EXPECT_EQ(rec.fired[2], std::make_pair(std::uint64_t{3}, std::int64_t{30}));
}

}  // namespace
}  // namespace meshsim::sim
