#include "proxy/asio_event_loop/asio_event_loop.h"

#include <chrono>

namespace meshsim::proxy {

core::MonotonicTime AsioEventLoop::now() const {
  return core::MonotonicTime(std::chrono::duration_cast<core::Duration>(
      std::chrono::steady_clock::now().time_since_epoch()));
}

core::TimerPtr AsioEventLoop::createTimer(core::Callback callback) {
  return core::TimerPtr(new AsioTimer(io_, callback),
                        core::TimerDeleter{[](core::Timer* timer) { delete timer; }});
}

AsioTimer::AsioTimer(boost::asio::io_context& io, core::Callback callback)
    : state_(std::make_shared<State>(io)) {
  state_->callback = callback;
}

AsioTimer::~AsioTimer() {
  disable();
  state_->callback = {};
}

void AsioTimer::enable(core::Duration delay) {
  State& state = *state_;
  state.armed = true;
  const std::uint64_t generation = ++state.generation;
  state.timer.expires_after(delay);
  state.timer.async_wait([state = state_, generation](const boost::system::error_code& error) {
    if (error || !state->armed || state->generation != generation || !state->callback) {
      return;
    }
    state->armed = false;
    state->callback();
  });
}

void AsioTimer::disable() {
  State& state = *state_;
  if (state.armed) {
    state.armed = false;
    ++state.generation;
    state.timer.cancel();
  }
}

}  // namespace meshsim::proxy
