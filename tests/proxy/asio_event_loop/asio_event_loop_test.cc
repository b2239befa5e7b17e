#include "proxy/asio_event_loop/asio_event_loop.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meshsim::proxy {
namespace {

struct Recorder {
  std::vector<std::string> fired;
  void a() { fired.push_back("a"); }
  void b() { fired.push_back("b"); }
};

TEST(AsioEventLoopTest, TimersFireInDelayOrderAndOnlyOnce) {
  boost::asio::io_context io;
  AsioEventLoop loop(io);
  Recorder recorder;
  core::TimerPtr late = loop.createTimer(core::Callback::member<&Recorder::b>(&recorder));
  core::TimerPtr early = loop.createTimer(core::Callback::member<&Recorder::a>(&recorder));
  late->enable(std::chrono::milliseconds(20));
  early->enable(std::chrono::milliseconds(1));
  EXPECT_TRUE(late->enabled());
  io.run();
  EXPECT_EQ(recorder.fired, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(late->enabled());
  EXPECT_FALSE(early->enabled());
}

TEST(AsioEventLoopTest, ZeroDelayFiresOnALaterTurnNotInsideEnable) {
  boost::asio::io_context io;
  AsioEventLoop loop(io);
  Recorder recorder;
  core::TimerPtr timer = loop.createTimer(core::Callback::member<&Recorder::a>(&recorder));
  timer->enable(core::Duration::zero());
  EXPECT_TRUE(recorder.fired.empty());
  io.run();
  EXPECT_EQ(recorder.fired.size(), 1u);
}

TEST(AsioEventLoopTest, DisabledAndDestroyedTimersNeverFire) {
  boost::asio::io_context io;
  AsioEventLoop loop(io);
  Recorder recorder;
  core::TimerPtr disabled = loop.createTimer(core::Callback::member<&Recorder::a>(&recorder));
  core::TimerPtr destroyed = loop.createTimer(core::Callback::member<&Recorder::b>(&recorder));
  disabled->enable(core::Duration::zero());
  destroyed->enable(core::Duration::zero());
  disabled->disable();
  destroyed.reset();
  io.run();
  EXPECT_TRUE(recorder.fired.empty());
}

TEST(AsioEventLoopTest, ReenablingAnArmedTimerFiresItOnce) {
  boost::asio::io_context io;
  AsioEventLoop loop(io);
  Recorder recorder;
  core::TimerPtr timer = loop.createTimer(core::Callback::member<&Recorder::a>(&recorder));
  timer->enable(core::Duration::zero());
  timer->enable(std::chrono::milliseconds(1));
  timer->enable(std::chrono::milliseconds(2));
  io.run();
  EXPECT_EQ(recorder.fired.size(), 1u);
  timer->enable(core::Duration::zero());
  io.restart();
  io.run();
  EXPECT_EQ(recorder.fired.size(), 2u);
}

TEST(AsioEventLoopTest, NowIsMonotonic) {
  boost::asio::io_context io;
  AsioEventLoop loop(io);
  const core::MonotonicTime first = loop.now();
  EXPECT_GE(loop.now(), first);
}

}  // namespace
}  // namespace meshsim::proxy
