#include "core/common/manual_event_loop.h"

#include <gtest/gtest.h>

#include <vector>

namespace meshsim::core {
namespace {

struct Counter {
  int fired = 0;
  void onTimer() { ++fired; }
};

TEST(ManualEventLoopTest, TimerFiresOnlyWhenTimeReachesDeadline) {
  ManualEventLoop loop;
  Counter counter;
  TimerPtr timer = loop.createTimer(Callback::member<&Counter::onTimer>(&counter));
  timer->enable(10ms);
  EXPECT_TRUE(timer->enabled());
  loop.advance(9ms);
  EXPECT_EQ(counter.fired, 0);
  loop.advance(1ms);
  EXPECT_EQ(counter.fired, 1);
  EXPECT_FALSE(timer->enabled());
  EXPECT_EQ(loop.now(), MonotonicTime(10ms));
}

TEST(ManualEventLoopTest, DisabledAndDestroyedTimersDoNotFire) {
  ManualEventLoop loop;
  Counter counter;
  TimerPtr a = loop.createTimer(Callback::member<&Counter::onTimer>(&counter));
  TimerPtr b = loop.createTimer(Callback::member<&Counter::onTimer>(&counter));
  a->enable(1ms);
  b->enable(1ms);
  a->disable();
  b.reset();
  loop.advance(5ms);
  EXPECT_EQ(counter.fired, 0);
  EXPECT_EQ(loop.armedTimers(), 0u);
}

TEST(ManualEventLoopTest, EqualDeadlinesFireInArmingOrderAndRearmWorks) {
  ManualEventLoop loop;
  std::vector<int> order;
  struct Tagged {
    std::vector<int>* order;
    int tag;
    void onTimer() { order->push_back(tag); }
  } first{&order, 1}, second{&order, 2};
  TimerPtr t2 = loop.createTimer(Callback::member<&Tagged::onTimer>(&second));
  TimerPtr t1 = loop.createTimer(Callback::member<&Tagged::onTimer>(&first));
  t1->enable(5ms);
  t2->enable(5ms);
  loop.advance(5ms);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  t1->enable(0ms);
  EXPECT_EQ(loop.runReady(), 1u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 1}));
}

}  // namespace
}  // namespace meshsim::core
