#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>

#include "core/common/event_loop.h"

namespace meshsim::proxy {

// The core's event-loop port on a single-threaded Boost.Asio io_context (DESIGN.md "The seam"):
// time is steady_clock, timers are steady_timers. The core runs only on the io_context's thread,
// so nothing here locks.
class AsioEventLoop final : public core::EventLoop {
 public:
  explicit AsioEventLoop(boost::asio::io_context& io) : io_(io) {}

  core::MonotonicTime now() const override;
  core::TimerPtr createTimer(core::Callback callback) override;

  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context& io_;
};

// A core::Timer on an asio::steady_timer. A wait that completed but whose handler has not run yet
// cannot be cancelled, so each arming carries a generation number and the handler fires only if
// the timer is still armed with that generation. The state lives in a shared block the pending
// handlers keep alive, so destroying the timer with a handler queued is safe.
class AsioTimer final : public core::Timer {
 public:
  AsioTimer(boost::asio::io_context& io, core::Callback callback);
  ~AsioTimer() override;

  void enable(core::Duration delay) override;
  void disable() override;
  bool enabled() const override { return state_->armed; }

 private:
  struct State {
    explicit State(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    core::Callback callback;
    std::uint64_t generation = 0;
    bool armed = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace meshsim::proxy
